import { type ModuleDef, migrationsOf } from '../../platform/module.ts'

export { notificationsClient } from './client.ts'
export { type NotificationsRoutes, notificationsRoutes } from './routes.ts'
export {
  DEFAULT_PAGE,
  NotificationsService,
  notificationsConsumers,
  notifyPayment,
  PAYMENT_CONFIRMATION,
  REFUND_CONFIRMATION,
} from './service.ts'

// notifications is the module's definition for wiring: its migrations (it seeds nothing: every
// notification comes from an event)
export const notifications: ModuleDef = {
  name: 'notifications',
  migrations: migrationsOf('notifications', import.meta.dirname),
}
