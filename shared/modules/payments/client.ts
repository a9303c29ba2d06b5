import { hc } from 'hono/client'
import type { Payment, Payments } from '../../contracts/payments.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { PaymentsRoutes } from './routes.ts'

// paymentsClient is the Payments contract over HTTP
export function paymentsClient(base: string, fetch: Fetch): Payments {
  const api = hc<PaymentsRoutes>(base, { fetch }).internal.payments
  const payment = api.payments[':id']
  return {
    authorize: async (input) => unwrap<Payment>(await api.authorizations.$post({ json: input })),
    capture: async (id, orderId) =>
      unwrap<Payment>(await payment.capture.$post({ param: { id }, json: { orderId } })),
    void: async (id) => unwrap<Payment>(await payment.void.$post({ param: { id } })),
  }
}
