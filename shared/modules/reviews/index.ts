import { reviewsApi } from '../../contracts/api.ts'
import { catalogContract } from '../../contracts/catalog.ts'
import { reviewsContract } from '../../contracts/reviews.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { reviewsClient } from './client.ts'
import { reviewsRoutes } from './routes.ts'
import { seedReviews } from './seed.ts'
import { ReviewsService } from './service.ts'

export { reviewsClient } from './client.ts'
export { type ReviewsRoutes, reviewsRoutes } from './routes.ts'
export { SEED_REVIEWS } from './seed.ts'
export { MAX_LIST, ReviewsService } from './service.ts'

// reviews is the module's manifest: product reviews
export const reviews = defineModule({
  name: 'reviews',
  implements: reviewsContract,
  needs: { catalog: catalogContract },
  build: (ctx) => new ReviewsService(ctx.db(), ctx.needs.catalog, ctx.snapshot),
  routes: reviewsRoutes,
  client: reviewsClient,
  publicRoutes: ['/api/products/:id/reviews'],
  internalPrefix: '/internal/reviews',
  api: reviewsApi,
  publishes: [],
  consumers: [],
  migrations: migrationsOf('reviews', import.meta.dirname),
  seed: seedReviews,
})
