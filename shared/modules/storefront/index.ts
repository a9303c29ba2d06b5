import { storefrontApi } from '../../contracts/api.ts'
import { catalogContract } from '../../contracts/catalog.ts'
import { inventoryContract } from '../../contracts/inventory.ts'
import { pricingContract } from '../../contracts/pricing.ts'
import { reviewsContract } from '../../contracts/reviews.ts'
import { storefrontContract } from '../../contracts/storefront.ts'
import { resilience } from '../../platform/config.ts'
import { defineModule } from '../../platform/module.ts'
import { storefrontClient } from './client.ts'
import { storefrontRoutes } from './routes.ts'
import { StorefrontService } from './service.ts'

export { storefrontClient } from './client.ts'
export { type StorefrontRoutes, storefrontRoutes } from './routes.ts'
export { type StorefrontOptions, StorefrontService } from './service.ts'

// storefront is the module's manifest: the aggregator: no tables, every answer composed from its
// neighbours
export const storefront = defineModule({
  name: 'storefront',
  implements: storefrontContract,
  needs: {
    catalog: catalogContract,
    pricing: pricingContract,
    reviews: reviewsContract,
    inventory: inventoryContract,
  },
  build: (ctx) =>
    new StorefrontService(
      ctx.needs.catalog,
      ctx.needs.pricing,
      ctx.needs.reviews,
      ctx.needs.inventory,
      {
        partDeadlineMs: resilience.aggregatePartDeadlineMs,
        together: ctx.together,
      },
    ),
  routes: storefrontRoutes,
  client: storefrontClient,
  publicRoutes: ['/api/products', '/api/products/:id'],
  internalPrefix: '/internal/storefront',
  api: storefrontApi,
  uses: {
    'GET /api/products': ['catalog', 'pricing'],
  },
  publishes: [],
  consumers: [],
})
