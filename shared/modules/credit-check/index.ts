import { type ModuleDef, migrationsOf } from '../../platform/module.ts'
import { seedCreditCheck } from './seed.ts'

export { creditCheckClient } from './client.ts'
export { type CreditCheckRoutes, creditCheckRoutes } from './routes.ts'
export { CreditCheckService } from './service.ts'

// creditCheck is the module's definition for wiring: its migrations and seeded bureau data
export const creditCheck: ModuleDef = {
  name: 'credit-check',
  migrations: migrationsOf('credit-check', import.meta.dirname),
  seed: seedCreditCheck,
}
