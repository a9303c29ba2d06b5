import { type ModuleDef, migrationsOf } from '../../platform/module.ts'

export { paymentsClient } from './client.ts'
export { type PaymentsRoutes, paymentsRoutes } from './routes.ts'
export { type PaymentsOptions, PaymentsService } from './service.ts'

// payments is the module's definition for wiring: its table (no seed: payments come from
// checkouts)
export const payments: ModuleDef = {
  name: 'payments',
  migrations: migrationsOf('payments', import.meta.dirname),
}
