import { hc } from 'hono/client'
import type { Price, Pricing } from '../../contracts/pricing.ts'
import { type Fetch, unwrap, unwrapOrNull } from '../../platform/http/remote.ts'
import type { PricingRoutes } from './routes.ts'

// pricingClient is the Pricing contract over HTTP
export function pricingClient(base: string, fetch: Fetch): Pricing {
  const api = hc<PricingRoutes>(base, { fetch }).internal.pricing
  return {
    price: async (productId) =>
      unwrapOrNull<Price>(await api.prices[':id'].$get({ param: { id: productId } })),
    prices: async (productIds) =>
      productIds.length === 0
        ? []
        : (
            await unwrap<{ items: Price[] }>(
              await api.prices.$get({ query: { ids: productIds.join(',') } }),
            )
          ).items,
  }
}
