import { type ModuleDef, migrationsOf } from '../../platform/module.ts'
import { seedPricing } from './seed.ts'

export { pricingClient } from './client.ts'
export { type PricingRoutes, pricingRoutes } from './routes.ts'
export { PricingService } from './service.ts'

// pricing is the module's definition for wiring: its migrations and seed
export const pricing: ModuleDef = {
  name: 'pricing',
  migrations: migrationsOf('pricing', import.meta.dirname),
  seed: seedPricing,
}
