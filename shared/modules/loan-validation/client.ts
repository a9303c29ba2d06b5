import { hc } from 'hono/client'
import type { Loan, LoanValidation } from '../../contracts/loans.ts'
import { type Fetch, unwrap, unwrapOrNull } from '../../platform/http/remote.ts'
import type { LoanValidationRoutes } from './routes.ts'

// loanValidationClient is the LoanValidation contract over HTTP
export function loanValidationClient(base: string, fetch: Fetch): LoanValidation {
  const api = hc<LoanValidationRoutes>(base, { fetch }).internal['loan-validation']
  return {
    apply: async (userId, input) =>
      unwrap<Loan>(await api.applications.$post({ json: { ...input, userId } })),
    loan: async (id) => unwrapOrNull<Loan>(await api.loans[':id'].$get({ param: { id } })),
  }
}
