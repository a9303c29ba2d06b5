import { ordersApi } from '../../contracts/api.ts'
import { Topics } from '../../contracts/events.ts'
import { ordersContract } from '../../contracts/orders.ts'
import { usersContract } from '../../contracts/users.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { ordersClient } from './client.ts'
import { ordersRoutes } from './routes.ts'
import { OrdersService } from './service.ts'

export { ordersClient } from './client.ts'
export { type OrdersRoutes, ordersRoutes } from './routes.ts'
export { OrdersService } from './service.ts'

// orders is the module's manifest: the event-sourced order store (no seed: orders come from
// checkouts)
export const orders = defineModule({
  name: 'orders',
  implements: ordersContract,
  needs: { users: usersContract },
  build: (ctx) => new OrdersService(ctx.db(), ctx.outbox(), ctx.needs.users),
  routes: ordersRoutes,
  client: ordersClient,
  publicRoutes: [
    '/api/orders/:id',
    '/api/orders/:id/events',
    '/api/orders/:id/ship',
    '/api/users/:id/orders',
  ],
  internalPrefix: '/internal/orders',
  api: ordersApi,
  publishes: [Topics.orders],
  consumers: [],
  migrations: migrationsOf('orders', import.meta.dirname),
})
