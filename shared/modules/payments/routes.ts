import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import { AuthorizeInput, type Payments } from '../../contracts/payments.ts'
import { notFound } from '../../domain/errors.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

const RefParam = z.object({ reference: z.string().min(1).max(100) })
const CaptureInput = z.object({ orderId: Id })

// paymentsRoutes exposes the Payments contract (internal routes, reached by checkout)
export const paymentsRoutes = (svc: Payments) =>
  new Hono<AppEnv>()
    .post('/internal/payments/authorizations', valid('json', AuthorizeInput), async (c) =>
      c.json(await svc.authorize(c.req.valid('json')), 201),
    )
    .get('/internal/payments/references/:reference', valid('param', RefParam), async (c) => {
      const payment = await svc.payment(c.req.valid('param').reference)
      if (!payment) throw notFound('payment')
      return c.json(payment)
    })
    .post(
      '/internal/payments/references/:reference/capture',
      valid('param', RefParam),
      valid('json', CaptureInput),
      async (c) =>
        c.json(await svc.capture(c.req.valid('param').reference, c.req.valid('json').orderId)),
    )
    .post('/internal/payments/references/:reference/void', valid('param', RefParam), async (c) =>
      c.json(await svc.void(c.req.valid('param').reference)),
    )
    .post('/internal/payments/references/:reference/refund', valid('param', RefParam), async (c) =>
      c.json(await svc.refund(c.req.valid('param').reference)),
    )

export type PaymentsRoutes = ReturnType<typeof paymentsRoutes>
