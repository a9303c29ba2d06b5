import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import { LoanApplicationInput, type LoanValidation } from '../../contracts/loans.ts'
import { notFound } from '../../domain/errors.ts'
import { assertOwnerOrAdmin, currentUser, requireUser } from '../../platform/http/auth.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

const IdParam = z.object({ id: Id })
// ApplyForUser is the internal apply call: the application plus who applies
const ApplyForUser = LoanApplicationInput.extend({ userId: Id })

// loanValidationRoutes serves loan applications to customers (public) and the LoanValidation
// contract to other modules (internal)
export const loanValidationRoutes = (svc: LoanValidation) =>
  new Hono<AppEnv>()
    .post('/api/loans', requireUser(), valid('json', LoanApplicationInput), async (c) =>
      c.json(await svc.apply(currentUser(c).id, c.req.valid('json')), 201),
    )
    .get('/api/loans/:id', requireUser(), valid('param', IdParam), async (c) => {
      const loan = await svc.loan(c.req.valid('param').id)
      if (!loan) throw notFound('loan')
      assertOwnerOrAdmin(currentUser(c), loan.userId)
      return c.json(loan)
    })
    .post('/internal/loan-validation/applications', valid('json', ApplyForUser), async (c) => {
      const { userId, ...input } = c.req.valid('json')
      return c.json(await svc.apply(userId, input), 201)
    })
    .get('/internal/loan-validation/loans/:id', valid('param', IdParam), async (c) => {
      const loan = await svc.loan(c.req.valid('param').id)
      if (!loan) throw notFound('loan')
      return c.json(loan)
    })

export type LoanValidationRoutes = ReturnType<typeof loanValidationRoutes>
