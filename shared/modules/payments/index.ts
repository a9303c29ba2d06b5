import { Topics } from '../../contracts/events.ts'
import { paymentsContract } from '../../contracts/payments.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { paymentsClient } from './client.ts'
import { paymentsRoutes } from './routes.ts'
import { PaymentsService } from './service.ts'

export { paymentsClient } from './client.ts'
export { type PaymentsRoutes, paymentsRoutes } from './routes.ts'
export { type PaymentsOptions, PaymentsService } from './service.ts'

// payments is the module's manifest: card authorisations and captures (a sweeper voids expired
// ones)
export const payments = defineModule({
  name: 'payments',
  implements: paymentsContract,
  needs: {},
  build: (ctx) => new PaymentsService(ctx.db(), ctx.outbox(), ctx.options),
  routes: paymentsRoutes,
  client: paymentsClient,
  publicRoutes: [],
  internalPrefix: '/internal/payments',
  api: [],
  publishes: [Topics.payments],
  consumers: [],
  start: (s: PaymentsService) => s.start(),
  migrations: migrationsOf('payments', import.meta.dirname),
})
