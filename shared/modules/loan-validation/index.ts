import { type ModuleDef, migrationsOf } from '../../platform/module.ts'

export { loanValidationClient } from './client.ts'
export { type LoanValidationRoutes, loanValidationRoutes } from './routes.ts'
export { LoanValidationService } from './service.ts'

// loanValidation is the module's definition for wiring: its migrations (loans come from
// applications only, so nothing is seeded)
export const loanValidation: ModuleDef = {
  name: 'loan-validation',
  migrations: migrationsOf('loan-validation', import.meta.dirname),
}
