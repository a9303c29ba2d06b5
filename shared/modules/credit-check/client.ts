import { hc } from 'hono/client'
import type { CreditCheck, Decision } from '../../contracts/loans.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { CreditCheckRoutes } from './routes.ts'

// creditCheckClient is the CreditCheck contract over HTTP
export function creditCheckClient(base: string, fetch: Fetch): CreditCheck {
  const api = hc<CreditCheckRoutes>(base, { fetch }).internal['credit-check']
  return {
    assess: async (application) => unwrap<Decision>(await api.assess.$post({ json: application })),
  }
}
