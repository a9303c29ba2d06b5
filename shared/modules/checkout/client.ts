import { hc } from 'hono/client'
import type { Checkout, CheckoutResult, SagaSummary } from '../../contracts/checkout.ts'
import type { Order } from '../../contracts/orders.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { CheckoutRoutes } from './routes.ts'

// checkoutClient is the Checkout contract over HTTP
export function checkoutClient(base: string, fetch: Fetch): Checkout {
  const api = hc<CheckoutRoutes>(base, { fetch }).internal.checkout
  return {
    checkout: async (user, input, idempotencyKey) =>
      unwrap<CheckoutResult>(
        await api.checkouts.$post({
          json: { user: { id: user.id, email: user.email }, input, idempotencyKey },
        }),
      ),
    cancel: async (user, orderId) =>
      unwrap<Order>(
        await api.orders[':id'].cancel.$post({ param: { id: orderId }, json: { userId: user.id } }),
      ),
    sagas: async () => unwrap<SagaSummary>(await api.sagas.$get()),
  }
}
