import { Hono } from 'hono'
import { z } from 'zod'
import { type Checkout, CheckoutInput } from '../../contracts/checkout.ts'
import { Id } from '../../contracts/common.ts'
import { currentUser, requireUser } from '../../platform/http/auth.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// IdempotencyKey bounds the optional Idempotency-Key header (api.md: at most 200 characters)
const IdempotencyKey = z.string().min(1).max(200)
const KeyHeader = z.object({ 'idempotency-key': IdempotencyKey.optional() })
const InternalCheckout = z.object({
  user: z.object({ id: Id, email: z.string().max(200) }),
  input: CheckoutInput,
  idempotencyKey: IdempotencyKey.optional(),
})

// checkoutRoutes serves POST /api/checkout (public) and the Checkout contract (internal)
export const checkoutRoutes = (svc: Checkout) =>
  new Hono<AppEnv>()
    .post(
      '/api/checkout',
      requireUser(),
      valid('header', KeyHeader),
      valid('json', CheckoutInput),
      async (c) => {
        const { id, email } = currentUser(c)
        const key = c.req.valid('header')['idempotency-key']
        return c.json(await svc.checkout({ id, email }, c.req.valid('json'), key), 201)
      },
    )
    .post('/internal/checkout/checkouts', valid('json', InternalCheckout), async (c) => {
      const { user, input, idempotencyKey } = c.req.valid('json')
      return c.json(await svc.checkout(user, input, idempotencyKey), 201)
    })

export type CheckoutRoutes = ReturnType<typeof checkoutRoutes>
