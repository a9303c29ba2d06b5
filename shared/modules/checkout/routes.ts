import type { Context } from 'hono'
import { Hono } from 'hono'
import { z } from 'zod'
import { type Checkout, CheckoutInput } from '../../contracts/checkout.ts'
import { Id } from '../../contracts/common.ts'
import { DomainError } from '../../domain/errors.ts'
import { currentUser, requireAdmin, requireUser } from '../../platform/http/auth.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// IdempotencyKey bounds the optional Idempotency-Key header (api.md: at most 200 characters)
const IdempotencyKey = z.string().min(1).max(200)
const KeyHeader = z.object({ 'idempotency-key': IdempotencyKey.optional() })
const IdParam = z.object({ id: Id })
const InternalCheckout = z.object({
  user: z.object({ id: Id, email: z.string().max(200) }),
  input: CheckoutInput,
  idempotencyKey: IdempotencyKey.optional(),
})
const InternalCancel = z.object({ userId: Id })

// retryAfter gives a 409 "still running" its Retry-After header before the error is answered
async function retryAfter<T>(c: Context, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    const seconds = error instanceof DomainError ? error.extra.retryAfterS : undefined
    if (typeof seconds === 'number') c.header('Retry-After', String(seconds))
    throw error
  }
}

// checkoutRoutes serves POST /api/checkout, POST /api/orders/:id/cancel (the owner cancels:
// stock and money go back) and GET /api/checkout/sagas (admin), and the contract (internal)
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
        const result = await retryAfter(c, () =>
          svc.checkout({ id, email }, c.req.valid('json'), key),
        )
        return c.json(result, 201)
      },
    )
    .post('/api/orders/:id/cancel', requireUser(), valid('param', IdParam), async (c) => {
      const { id } = c.req.valid('param')
      const order = await retryAfter(c, () => svc.cancel({ id: currentUser(c).id }, id))
      return c.json(order)
    })
    .get('/api/checkout/sagas', requireAdmin(), async (c) => c.json(await svc.sagas()))
    .post('/internal/checkout/checkouts', valid('json', InternalCheckout), async (c) => {
      const { user, input, idempotencyKey } = c.req.valid('json')
      return c.json(await retryAfter(c, () => svc.checkout(user, input, idempotencyKey)), 201)
    })
    .post(
      '/internal/checkout/orders/:id/cancel',
      valid('param', IdParam),
      valid('json', InternalCancel),
      async (c) =>
        c.json(
          await retryAfter(c, () =>
            svc.cancel({ id: c.req.valid('json').userId }, c.req.valid('param').id),
          ),
        ),
    )
    .get('/internal/checkout/sagas', async (c) => c.json(await svc.sagas()))

export type CheckoutRoutes = ReturnType<typeof checkoutRoutes>
