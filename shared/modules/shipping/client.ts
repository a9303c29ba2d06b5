import { hc } from 'hono/client'
import type { Quote, Shipping } from '../../contracts/shipping.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { ShippingRoutes } from './routes.ts'

// shippingClient is the Shipping contract over HTTP
export function shippingClient(base: string, fetch: Fetch): Shipping {
  const api = hc<ShippingRoutes>(base, { fetch }).internal.shipping
  return {
    quote: async (input) => unwrap<Quote>(await api.quotes.$post({ json: input })),
  }
}
