import { type ModuleDef, migrationsOf } from '../../platform/module.ts'
import { seedReviews } from './seed.ts'

export { reviewsClient } from './client.ts'
export { type ReviewsRoutes, reviewsRoutes } from './routes.ts'
export { SEED_REVIEWS } from './seed.ts'
export { MAX_LIST, ReviewsService } from './service.ts'

// reviews is the module's definition for wiring: its migrations and seed
export const reviews: ModuleDef = {
  name: 'reviews',
  migrations: migrationsOf('reviews', import.meta.dirname),
  seed: seedReviews,
}
