import { Hono } from 'hono'
import { z } from 'zod'
import type { Catalog } from '../../contracts/catalog.ts'
import { SearchQuery } from '../../contracts/catalog.ts'
import { Id, IdsQuery } from '../../contracts/common.ts'
import { notFound } from '../../domain/errors.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// catalogRoutes exposes the Catalog contract (internal routes, reached by other modules)
export const catalogRoutes = (svc: Catalog) =>
  new Hono<AppEnv>()
    .get('/internal/catalog/products/:id', valid('param', z.object({ id: Id })), async (c) => {
      const product = await svc.product(c.req.valid('param').id)
      if (!product) throw notFound('product')
      return c.json(product)
    })
    .get('/internal/catalog/products', valid('query', IdsQuery), async (c) =>
      c.json({ items: await svc.products(c.req.valid('query').ids) }),
    )
    .get('/internal/catalog/search', valid('query', SearchQuery), async (c) =>
      c.json(await svc.search(c.req.valid('query'))),
    )

export type CatalogRoutes = ReturnType<typeof catalogRoutes>
