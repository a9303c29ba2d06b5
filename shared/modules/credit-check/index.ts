import { creditCheckContract, loanApprovalContract } from '../../contracts/loans.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { creditCheckClient } from './client.ts'
import { creditCheckRoutes } from './routes.ts'
import { seedCreditCheck } from './seed.ts'
import { CreditCheckService } from './service.ts'

export { creditCheckClient } from './client.ts'
export { type CreditCheckRoutes, creditCheckRoutes } from './routes.ts'
export { CreditCheckService } from './service.ts'

// creditCheck is the module's manifest: credit profiles (seeded bureau data), the chain's second
// link
export const creditCheck = defineModule({
  name: 'credit-check',
  implements: creditCheckContract,
  needs: { approval: loanApprovalContract },
  build: (ctx) => new CreditCheckService(ctx.db(), ctx.needs.approval),
  routes: creditCheckRoutes,
  client: creditCheckClient,
  publicRoutes: [],
  internalPrefix: '/internal/credit-check',
  api: [],
  publishes: [],
  consumers: [],
  migrations: migrationsOf('credit-check', import.meta.dirname),
  seed: seedCreditCheck,
})
