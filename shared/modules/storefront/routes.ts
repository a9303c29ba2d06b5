import { Hono } from 'hono'
import { z } from 'zod'
import { SearchQuery } from '../../contracts/catalog.ts'
import { Id } from '../../contracts/common.ts'
import type { Storefront } from '../../contracts/storefront.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// storefrontRoutes serves the product list and the product page (public, api.md)
export const storefrontRoutes = (svc: Storefront) =>
  new Hono<AppEnv>()
    .get('/api/products', valid('query', SearchQuery), async (c) =>
      c.json(await svc.list(c.req.valid('query'))),
    )
    .get('/api/products/:id', valid('param', z.object({ id: Id })), async (c) =>
      c.json(await svc.page(c.req.valid('param').id)),
    )

export type StorefrontRoutes = ReturnType<typeof storefrontRoutes>
