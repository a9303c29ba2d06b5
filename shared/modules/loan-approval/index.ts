import type { ModuleDef } from '../../platform/module.ts'

export { loanApprovalClient } from './client.ts'
export { type LoanApprovalRoutes, loanApprovalRoutes } from './routes.ts'
export { LoanApprovalService } from './service.ts'

// loanApproval is the module's definition for wiring: stateless, so no tables and no seed
export const loanApproval: ModuleDef = { name: 'loan-approval' }
