import { hc } from 'hono/client'
import type { Decision, LoanApproval } from '../../contracts/loans.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { LoanApprovalRoutes } from './routes.ts'

// loanApprovalClient is the LoanApproval contract over HTTP
export function loanApprovalClient(base: string, fetch: Fetch): LoanApproval {
  const api = hc<LoanApprovalRoutes>(base, { fetch }).internal['loan-approval']
  return {
    decide: async (application) => unwrap<Decision>(await api.decide.$post({ json: application })),
  }
}
