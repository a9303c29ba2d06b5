import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import { type Inventory, ReserveInput } from '../../contracts/inventory.ts'
import { notFound } from '../../domain/errors.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

const IdParam = z.object({ id: Id })
const RefParam = z.object({ reference: z.string().min(1).max(100) })

// inventoryRoutes exposes the Inventory contract (internal routes, reached by other modules)
export const inventoryRoutes = (svc: Inventory) =>
  new Hono<AppEnv>()
    .get('/internal/inventory/stock/:id', valid('param', IdParam), async (c) => {
      const stock = await svc.stock(c.req.valid('param').id)
      if (!stock) throw notFound('product')
      return c.json(stock)
    })
    .get('/internal/inventory/reserved', async (c) => c.json({ reserved: await svc.reserved() }))
    .post('/internal/inventory/reservations', valid('json', ReserveInput), async (c) =>
      c.json(await svc.reserve(c.req.valid('json')), 201),
    )
    .post(
      '/internal/inventory/references/:reference/release',
      valid('param', RefParam),
      async (c) => c.json(await svc.release(c.req.valid('param').reference)),
    )
    .post('/internal/inventory/references/:reference/commit', valid('param', RefParam), async (c) =>
      c.json(await svc.commit(c.req.valid('param').reference)),
    )
    .post(
      '/internal/inventory/references/:reference/restock',
      valid('param', RefParam),
      async (c) => c.json(await svc.restock(c.req.valid('param').reference)),
    )

export type InventoryRoutes = ReturnType<typeof inventoryRoutes>
