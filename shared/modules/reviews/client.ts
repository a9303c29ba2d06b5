import { hc } from 'hono/client'
import type { Review, ReviewSummary, Reviews } from '../../contracts/reviews.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { ReviewsRoutes } from './routes.ts'

// reviewsClient is the Reviews contract over HTTP
export function reviewsClient(base: string, fetch: Fetch): Reviews {
  const api = hc<ReviewsRoutes>(base, { fetch }).internal.reviews
  return {
    // the product page's calls build their URL directly: hc's proxy costs ~8 µs per call
    summary: async (productId) =>
      unwrap<ReviewSummary>(
        await fetch(`${base}/internal/reviews/summary/${encodeURIComponent(productId)}`),
      ),
    list: async (productId, limit) =>
      (
        await unwrap<{ items: Review[] }>(
          await api.products[':id'].$get({
            param: { id: productId },
            query: { limit: limit === undefined ? undefined : String(limit) },
          }),
        )
      ).items,
    add: async (productId, userId, input) =>
      unwrap<Review>(
        await api.products[':id'].$post({ param: { id: productId }, json: { ...input, userId } }),
      ),
  }
}
