import { notificationsApi } from '../../contracts/api.ts'
import { notificationsContract } from '../../contracts/notifications.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { notificationsClient } from './client.ts'
import { notificationsRoutes } from './routes.ts'
import { NotificationsService, notificationsConsumers } from './service.ts'

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

// notifications is the module's manifest: messages sent to customers, every one from a payment
// event
export const notifications = defineModule({
  name: 'notifications',
  implements: notificationsContract,
  needs: {},
  build: (ctx) => new NotificationsService(ctx.db()),
  routes: notificationsRoutes,
  client: notificationsClient,
  publicRoutes: ['/api/notifications'],
  internalPrefix: '/internal/notifications',
  api: notificationsApi,
  publishes: [],
  consumers: notificationsConsumers,
  migrations: migrationsOf('notifications', import.meta.dirname),
})
