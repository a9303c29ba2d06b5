import { type ModuleDef, migrationsOf } from '../../platform/module.ts'

export { ordersClient } from './client.ts'
export { type OrdersRoutes, ordersRoutes } from './routes.ts'
export { OrdersService } from './service.ts'

// orders is the module's definition for wiring: its event store (no seed: orders come from
// checkouts)
export const orders: ModuleDef = {
  name: 'orders',
  migrations: migrationsOf('orders', import.meta.dirname),
}
