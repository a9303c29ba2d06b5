import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import { type Inventory, ReserveInput } from '../../contracts/inventory.ts'
import { notFound } from '../../domain/errors.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

const IdParam = z.object({ id: Id })

// inventoryRoutes exposes the Inventory contract (internal routes, reached by other modules)
export const inventoryRoutes = (svc: Inventory) =>
  new Hono<AppEnv>()
    .get('/internal/inventory/stock/:id', valid('param', IdParam), async (c) => {
      const stock = await svc.stock(c.req.valid('param').id)
      if (!stock) throw notFound('product')
      return c.json(stock)
    })
    .post('/internal/inventory/reservations', valid('json', ReserveInput), async (c) =>
      c.json(await svc.reserve(c.req.valid('json')), 201),
    )
    .post('/internal/inventory/reservations/:id/release', valid('param', IdParam), async (c) =>
      c.json(await svc.release(c.req.valid('param').id)),
    )
    .post('/internal/inventory/reservations/:id/commit', valid('param', IdParam), async (c) =>
      c.json(await svc.commit(c.req.valid('param').id)),
    )

export type InventoryRoutes = ReturnType<typeof inventoryRoutes>
