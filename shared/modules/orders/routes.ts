import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import {
  AppendInput,
  type Order,
  OrderPageQuery,
  type Orders,
  PlaceOrderInput,
  type UserOrders,
} from '../../contracts/orders.ts'
import { notFound } from '../../domain/errors.ts'
import {
  assertOwnerOrAdmin,
  currentUser,
  requireAdmin,
  requireUser,
} from '../../platform/http/auth.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

const IdParam = z.object({ id: Id })
const CancelInput = z.object({ byUserId: Id })
const PageQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
})

// ordersRoutes serves orders to their owners and admins (public) and the Orders contract
// (internal, reached by checkout and reporting)
export const ordersRoutes = (svc: Orders & UserOrders) => {
  // existing loads an order or answers 404
  const existing = async (id: string): Promise<Order> => {
    const order = await svc.order(id)
    if (!order) throw notFound('order')
    return order
  }
  return (
    new Hono<AppEnv>()
      .get('/api/orders/:id', requireUser(), valid('param', IdParam), async (c) => {
        const order = await existing(c.req.valid('param').id)
        assertOwnerOrAdmin(currentUser(c), order.userId)
        return c.json(order)
      })
      .get('/api/orders/:id/events', requireUser(), valid('param', IdParam), async (c) => {
        const { id } = c.req.valid('param')
        assertOwnerOrAdmin(currentUser(c), (await existing(id)).userId)
        return c.json({ items: await svc.events(id) })
      })
      .post('/api/orders/:id/ship', requireAdmin(), valid('param', IdParam), async (c) =>
        c.json(await svc.ship(c.req.valid('param').id)),
      )
      // POST /api/orders/:id/cancel is checkout's: cancelling gives stock and money back
      .get(
        '/api/users/:id/orders',
        requireUser(),
        valid('param', IdParam),
        valid('query', OrderPageQuery),
        async (c) => {
          const { id } = c.req.valid('param')
          assertOwnerOrAdmin(currentUser(c), id)
          return c.json(await svc.userOrders(id, c.req.valid('query')))
        },
      )
      // internal: the Orders contract
      .post('/internal/orders/orders', valid('json', PlaceOrderInput), async (c) =>
        c.json(await svc.place(c.req.valid('json')), 201),
      )
      .get('/internal/orders/orders/:id', valid('param', IdParam), async (c) =>
        c.json(await existing(c.req.valid('param').id)),
      )
      .get('/internal/orders/orders/:id/events', valid('param', IdParam), async (c) =>
        c.json({ items: await svc.events(c.req.valid('param').id) }),
      )
      .post(
        '/internal/orders/orders/:id/events',
        valid('param', IdParam),
        valid('json', AppendInput),
        async (c) => {
          const { expectedVersion, events } = c.req.valid('json')
          return c.json(await svc.append(c.req.valid('param').id, expectedVersion, events))
        },
      )
      .post('/internal/orders/orders/:id/ship', valid('param', IdParam), async (c) =>
        c.json(await svc.ship(c.req.valid('param').id)),
      )
      .post(
        '/internal/orders/orders/:id/cancel',
        valid('param', IdParam),
        valid('json', CancelInput),
        async (c) =>
          c.json(await svc.cancel(c.req.valid('param').id, c.req.valid('json').byUserId)),
      )
      .get(
        '/internal/orders/users/:id/orders',
        valid('param', IdParam),
        valid('query', OrderPageQuery),
        async (c) =>
          c.json({ items: await svc.ordersOf(c.req.valid('param').id, c.req.valid('query')) }),
      )
      .get(
        '/internal/orders/users/:id',
        valid('param', IdParam),
        valid('query', OrderPageQuery),
        async (c) => c.json(await svc.userOrders(c.req.valid('param').id, c.req.valid('query'))),
      )
      .get('/internal/orders/events', valid('query', PageQuery), async (c) => {
        const { after, limit } = c.req.valid('query')
        return c.json({ items: await svc.allEvents(after, limit) })
      })
  )
}

export type OrdersRoutes = ReturnType<typeof ordersRoutes>
