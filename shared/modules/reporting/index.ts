import { reportingApi } from '../../contracts/api.ts'
import { ordersContract } from '../../contracts/orders.ts'
import { reportingContract } from '../../contracts/reporting.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { reportingClient } from './client.ts'
import { reportingRoutes } from './routes.ts'
import { ReportingService, reportingConsumers } from './service.ts'

export { reportingClient } from './client.ts'
export { AS_OF, applyOrderEvent, clearReadModel, type OrderFact } from './fold.ts'
export { type ReportingRoutes, reportingRoutes } from './routes.ts'
export { REPLAY_PAGE, ReportingService, reportingConsumers } from './service.ts'

// reporting is the module's manifest: the sales read model (CQRS), fed by order events; rebuild
// replays the order store
export const reporting = defineModule({
  name: 'reporting',
  implements: reportingContract,
  needs: { orders: ordersContract },
  build: (ctx) => new ReportingService(ctx.db(), ctx.needs.orders),
  routes: reportingRoutes,
  client: reportingClient,
  publicRoutes: ['/api/reports/*'],
  internalPrefix: '/internal/reporting',
  api: reportingApi,
  uses: {
    'GET /api/reports/sales': [],
    'GET /api/reports/top-products': [],
  },
  publishes: [],
  consumers: reportingConsumers,
  migrations: migrationsOf('reporting', import.meta.dirname),
})
