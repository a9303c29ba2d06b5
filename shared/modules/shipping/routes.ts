import { Hono } from 'hono'
import { QuoteInput, type Shipping } from '../../contracts/shipping.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// shippingRoutes exposes the Shipping contract (internal routes, reached by checkout)
export const shippingRoutes = (svc: Shipping) =>
  new Hono<AppEnv>().post('/internal/shipping/quotes', valid('json', QuoteInput), async (c) =>
    c.json(await svc.quote(c.req.valid('json'))),
  )

export type ShippingRoutes = ReturnType<typeof shippingRoutes>
