import { Hono } from 'hono'
import { ApplicationSchema, type CreditCheck } from '../../contracts/loans.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// creditCheckRoutes exposes the CreditCheck contract (internal: only loan-validation calls it)
export const creditCheckRoutes = (svc: CreditCheck) =>
  new Hono<AppEnv>().post(
    '/internal/credit-check/assess',
    valid('json', ApplicationSchema),
    async (c) => c.json(await svc.assess(c.req.valid('json'))),
  )

export type CreditCheckRoutes = ReturnType<typeof creditCheckRoutes>
