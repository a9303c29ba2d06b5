import { hc } from 'hono/client'
import type { Payment, Payments } from '../../contracts/payments.ts'
import { type Fetch, unwrap, unwrapOrNull } from '../../platform/http/remote.ts'
import type { PaymentsRoutes } from './routes.ts'

// paymentsClient is the Payments contract over HTTP
export function paymentsClient(base: string, fetch: Fetch): Payments {
  const api = hc<PaymentsRoutes>(base, { fetch }).internal.payments
  const ref = api.references[':reference']
  return {
    authorize: async (input) => unwrap<Payment>(await api.authorizations.$post({ json: input })),
    capture: async (reference, orderId) =>
      unwrap<Payment>(await ref.capture.$post({ param: { reference }, json: { orderId } })),
    void: async (reference) => unwrap<Payment>(await ref.void.$post({ param: { reference } })),
    refund: async (reference) => unwrap<Payment>(await ref.refund.$post({ param: { reference } })),
    payment: async (reference) => unwrapOrNull<Payment>(await ref.$get({ param: { reference } })),
  }
}
