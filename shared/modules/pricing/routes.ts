import { Hono } from 'hono'
import { z } from 'zod'
import { Id, IdsQuery } from '../../contracts/common.ts'
import type { Pricing } from '../../contracts/pricing.ts'
import { notFound } from '../../domain/errors.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// pricingRoutes exposes the Pricing contract (internal routes, reached by other modules)
export const pricingRoutes = (svc: Pricing) =>
  new Hono<AppEnv>()
    .get('/internal/pricing/prices/:id', valid('param', z.object({ id: Id })), async (c) => {
      const price = await svc.price(c.req.valid('param').id)
      if (!price) throw notFound('price')
      return c.json(price)
    })
    .get('/internal/pricing/prices', valid('query', IdsQuery), async (c) =>
      c.json({ items: await svc.prices(c.req.valid('query').ids) }),
    )

export type PricingRoutes = ReturnType<typeof pricingRoutes>
