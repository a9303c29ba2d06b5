import { loansApi } from '../../contracts/api.ts'
import { creditCheckContract, loanValidationContract } from '../../contracts/loans.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { loanValidationClient } from './client.ts'
import { loanValidationRoutes } from './routes.ts'
import { LoanValidationService } from './service.ts'

export { loanValidationClient } from './client.ts'
export { type LoanValidationRoutes, loanValidationRoutes } from './routes.ts'
export { LoanValidationService } from './service.ts'

// loanValidation is the module's manifest: loan applications, the first link of the chain
export const loanValidation = defineModule({
  name: 'loan-validation',
  implements: loanValidationContract,
  needs: { creditCheck: creditCheckContract },
  build: (ctx) => new LoanValidationService(ctx.db(), ctx.needs.creditCheck),
  routes: loanValidationRoutes,
  client: loanValidationClient,
  publicRoutes: ['/api/loans', '/api/loans/*'],
  internalPrefix: '/internal/loan-validation',
  api: loansApi,
  publishes: [],
  consumers: [],
  migrations: migrationsOf('loan-validation', import.meta.dirname),
})
