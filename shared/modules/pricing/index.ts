import { pricingContract } from '../../contracts/pricing.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { pricingClient } from './client.ts'
import { pricingRoutes } from './routes.ts'
import { seedPricing } from './seed.ts'
import { PricingService } from './service.ts'

export { pricingClient } from './client.ts'
export { type PricingRoutes, pricingRoutes } from './routes.ts'
export { PricingService } from './service.ts'

// pricing is the module's manifest: current prices
export const pricing = defineModule({
  name: 'pricing',
  implements: pricingContract,
  needs: {},
  build: (ctx) => new PricingService(ctx.db()),
  routes: pricingRoutes,
  client: pricingClient,
  publicRoutes: [],
  internalPrefix: '/internal/pricing',
  api: [],
  publishes: [],
  consumers: [],
  migrations: migrationsOf('pricing', import.meta.dirname),
  seed: seedPricing,
})
