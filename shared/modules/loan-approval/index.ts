import { loanApprovalContract } from '../../contracts/loans.ts'
import { defineModule } from '../../platform/module.ts'
import { loanApprovalClient } from './client.ts'
import { loanApprovalRoutes } from './routes.ts'
import { LoanApprovalService } from './service.ts'

export { loanApprovalClient } from './client.ts'
export { type LoanApprovalRoutes, loanApprovalRoutes } from './routes.ts'
export { LoanApprovalService } from './service.ts'

// loanApproval is the module's manifest: stateless decisions, the chain's last link
export const loanApproval = defineModule({
  name: 'loan-approval',
  implements: loanApprovalContract,
  needs: {},
  build: () => new LoanApprovalService(),
  routes: loanApprovalRoutes,
  client: loanApprovalClient,
  publicRoutes: [],
  internalPrefix: '/internal/loan-approval',
  api: [],
  publishes: [],
  consumers: [],
})
