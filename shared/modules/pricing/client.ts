import { hc } from 'hono/client'
import type { Price, Pricing } from '../../contracts/pricing.ts'
import { type Fetch, unwrap, unwrapOrNull } from '../../platform/http/remote.ts'
import type { PricingRoutes } from './routes.ts'

// pricingClient is the Pricing contract over HTTP
export function pricingClient(base: string, fetch: Fetch): Pricing {
  const api = hc<PricingRoutes>(base, { fetch }).internal.pricing
  return {
    // the product page's calls build their URL directly: hc's proxy costs ~8 µs per call
    price: async (productId) =>
      unwrapOrNull<Price>(
        await fetch(`${base}/internal/pricing/prices/${encodeURIComponent(productId)}`),
      ),
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
