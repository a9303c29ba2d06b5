import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import { NewReviewInput, type Review, type Reviews } from '../../contracts/reviews.ts'
import { currentUser, requireUser } from '../../platform/http/auth.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'
import { MAX_LIST } from './service.ts'

const ProductParam = z.object({ id: Id })
const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(MAX_LIST).optional() })
const InternalReviewInput = NewReviewInput.extend({ userId: Id })

// the public list leaves out the product id the path already names
const publicReview = ({ productId: _p, ...rest }: Review) => rest

// reviewsRoutes serves a product's reviews (public) and the Reviews contract (internal)
export const reviewsRoutes = (svc: Reviews) =>
  new Hono<AppEnv>()
    .get(
      '/api/products/:id/reviews',
      valid('param', ProductParam),
      valid('query', LimitQuery),
      async (c) => {
        const items = await svc.list(c.req.valid('param').id, c.req.valid('query').limit)
        return c.json({ items: items.map(publicReview) })
      },
    )
    .post(
      '/api/products/:id/reviews',
      requireUser(),
      valid('param', ProductParam),
      valid('json', NewReviewInput),
      async (c) =>
        c.json(await svc.add(c.req.valid('param').id, currentUser(c).id, c.req.valid('json')), 201),
    )
    .get('/internal/reviews/summary/:id', valid('param', ProductParam), async (c) =>
      c.json(await svc.summary(c.req.valid('param').id)),
    )
    .get(
      '/internal/reviews/products/:id',
      valid('param', ProductParam),
      valid('query', LimitQuery),
      async (c) =>
        c.json({ items: await svc.list(c.req.valid('param').id, c.req.valid('query').limit) }),
    )
    .post(
      '/internal/reviews/products/:id',
      valid('param', ProductParam),
      valid('json', InternalReviewInput),
      async (c) => {
        const { userId, ...input } = c.req.valid('json')
        return c.json(await svc.add(c.req.valid('param').id, userId, input), 201)
      },
    )

export type ReviewsRoutes = ReturnType<typeof reviewsRoutes>
