import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import { AuthorizeInput, type Payments } from '../../contracts/payments.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

const IdParam = z.object({ id: Id })
const CaptureInput = z.object({ orderId: Id })

// paymentsRoutes exposes the Payments contract (internal routes, reached by checkout)
export const paymentsRoutes = (svc: Payments) =>
  new Hono<AppEnv>()
    .post('/internal/payments/authorizations', valid('json', AuthorizeInput), async (c) =>
      c.json(await svc.authorize(c.req.valid('json')), 201),
    )
    .post(
      '/internal/payments/payments/:id/capture',
      valid('param', IdParam),
      valid('json', CaptureInput),
      async (c) => c.json(await svc.capture(c.req.valid('param').id, c.req.valid('json').orderId)),
    )
    .post('/internal/payments/payments/:id/void', valid('param', IdParam), async (c) =>
      c.json(await svc.void(c.req.valid('param').id)),
    )

export type PaymentsRoutes = ReturnType<typeof paymentsRoutes>
