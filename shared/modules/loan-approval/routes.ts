import { Hono } from 'hono'
import { ApplicationSchema, type LoanApproval } from '../../contracts/loans.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// loanApprovalRoutes exposes the LoanApproval contract (internal: only credit-check calls it)
export const loanApprovalRoutes = (svc: LoanApproval) =>
  new Hono<AppEnv>().post(
    '/internal/loan-approval/decide',
    valid('json', ApplicationSchema),
    async (c) => c.json(await svc.decide(c.req.valid('json'))),
  )

export type LoanApprovalRoutes = ReturnType<typeof loanApprovalRoutes>
