import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { randomUUID } from 'node:crypto'
import type { Hono } from 'hono'
import { OrderPlacedData } from '../../contracts/events.ts'
import type { Orders, PlaceOrderInput, UserOrders } from '../../contracts/orders.ts'
import type { Users } from '../../contracts/users.ts'
import { isDomainError } from '../../domain/errors.ts'
import { sqliteOutbox, unsent } from '../../platform/bus/outbox.ts'
import type { Database } from '../../platform/db/index.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { memoryDatabase, testApp, testTokens, threeWays } from '../../testing/harness.ts'
import { expectProblem, kindOf } from '../../testing/http.ts'
import { OrdersService, orders, ordersClient, ordersRoutes } from './index.ts'

const eur = (amount: number) => ({ amount, currency: 'EUR' })
const ada = { id: 'u-ada', name: 'Ada', email: 'ada@example.test' }
const bob = { id: 'u-bob', name: 'Bob', email: 'bob@example.test' }
const known = new Map([ada, bob].map((u) => [u.id, u]))
const people: Pick<Users, 'user'> & { set(id: string, u: typeof ada): void } = {
  user: async (id) => known.get(id) ?? null,
  set: (id, u) => known.set(id, u),
}

const placeInput = (userId = ada.id, orderId: string = randomUUID()): PlaceOrderInput => ({
  orderId,
  userId,
  items: [{ productId: 'p-0001', name: 'Kite', quantity: 2, unitPrice: eur(4.5) }],
  total: eur(9),
  paymentId: 'pay-1',
  reservationId: 'res-1',
  shippingQuoteId: 'q-1',
})
const captured = (orderId: string) => ({
  type: 'PaymentCaptured',
  data: { orderId, paymentId: 'pay-1', amount: eur(9) },
})

let database: Database | undefined

threeWays<Orders & UserOrders>(
  'Orders',
  {
    service: async () => {
      const d = await memoryDatabase(orders)
      database = d
      return { service: new OrdersService(d.db, sqliteOutbox('orders'), people), close: d.close }
    },
    routes: ordersRoutes,
    client: ordersClient,
  },
  (svc) => {
    it('places an order: OrderPlaced then OrderConfirmed, folded to confirmed at version 2', async () => {
      const input = placeInput()
      const order = await svc().place(input)
      expect(order).toMatchObject({
        id: input.orderId,
        userId: ada.id,
        status: 'confirmed',
        items: input.items,
        total: eur(9),
        version: 2,
      })
      expect(Date.parse(order.createdAt)).not.toBeNaN()
      expect(await svc().order(input.orderId)).toEqual(order)
      const events = await svc().events(input.orderId)
      expect(events.map((e) => [e.seq, e.type])).toEqual([
        [1, 'OrderPlaced'],
        [2, 'OrderConfirmed'],
      ])
      expect(OrderPlacedData.parse(events[0]!.data)).toEqual({
        orderId: input.orderId,
        userId: ada.id,
        items: input.items,
        total: eur(9),
      })
      expect(events[1]!.data).toEqual({ orderId: input.orderId })
    })

    it('publishes every appended event on topic orders, data carrying the orderId', async () => {
      const input = placeInput()
      await svc().place(input)
      const mine = unsent(database!.db, 1000).filter(
        (e) => (e.data as { orderId?: string }).orderId === input.orderId,
      )
      expect(mine.map((e) => [e.topic, e.type, e.source])).toEqual([
        ['orders', 'OrderPlaced', 'orders'],
        ['orders', 'OrderConfirmed', 'orders'],
      ])
      expect(OrderPlacedData.parse(mine[0]!.data).orderId).toBe(input.orderId)
    })

    it('answers null and no events for an unknown order', async () => {
      expect(await svc().order('nope-order')).toBeNull()
      expect(await svc().events('nope-order')).toEqual([])
    })

    it('answers a resent place with the order it made; another user’s id is a conflict', async () => {
      const input = placeInput()
      const first = await svc().place(input)
      expect(await svc().place(input)).toEqual(first)
      expect((await svc().events(input.orderId)).map((e) => e.type)).toEqual([
        'OrderPlaced',
        'OrderConfirmed',
      ])
      expect(await kindOf(svc().place({ ...input, userId: bob.id }))).toBe('conflict')
    })

    it('appends at the expected version and refuses a stale one (409)', async () => {
      const { orderId } = placeInput()
      await svc().place(placeInput(ada.id, orderId))
      const paid = await svc().append(orderId, 2, [captured(orderId)])
      expect(paid).toMatchObject({ status: 'paid', version: 3 })
      expect(await kindOf(svc().append(orderId, 2, [captured(orderId)]))).toBe('conflict')
      expect((await svc().order(orderId))?.version).toBe(3)
    })

    it('lets exactly one of two concurrent appends at the same version win', async () => {
      const { orderId } = placeInput()
      await svc().place(placeInput(ada.id, orderId))
      const results = await Promise.allSettled([
        svc().append(orderId, 2, [captured(orderId)]),
        svc().append(orderId, 2, [{ type: 'OrderCancelled', data: { orderId } }]),
      ])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
      expect(isDomainError(lost.reason) && lost.reason.kind).toBe('conflict')
      expect((await svc().events(orderId)).map((e) => e.seq)).toEqual([1, 2, 3])
    })

    it('fills in the orderId of appended events and refuses a foreign one', async () => {
      const { orderId } = placeInput()
      await svc().place(placeInput(ada.id, orderId))
      await svc().append(orderId, 2, [{ type: 'OrderCancelled', data: { reason: 'test' } }])
      const events = await svc().events(orderId)
      expect(events[2]).toMatchObject({
        seq: 3,
        type: 'OrderCancelled',
        data: { orderId, reason: 'test' },
      })
      expect(
        await kindOf(svc().append(orderId, 3, [{ type: 'OrderShipped', data: { orderId: 'x' } }])),
      ).toBe('invalid')
    })

    it('refuses unknown event types, malformed data and illegal transitions', async () => {
      const { orderId } = placeInput()
      await svc().place(placeInput(ada.id, orderId))
      expect(await kindOf(svc().append(orderId, 2, [{ type: 'Teleported', data: {} }]))).toBe(
        'invalid',
      )
      expect(
        await kindOf(svc().append(orderId, 2, [{ type: 'PaymentCaptured', data: { amount: 1 } }])),
      ).toBe('invalid')
      expect(await kindOf(svc().append(orderId, 2, [{ type: 'OrderShipped', data: {} }]))).toBe(
        'conflict',
      )
      expect((await svc().order(orderId))?.version).toBe(2)
    })

    it('answers 404 when appending to an order that does not exist', async () => {
      expect(await kindOf(svc().append('nope-order', 2, [captured('nope-order')]))).toBe(
        'not-found',
      )
    })

    it('ships a paid order, then refuses to cancel it (409)', async () => {
      const { orderId } = placeInput()
      await svc().place(placeInput(ada.id, orderId))
      expect(await kindOf(svc().ship(orderId))).toBe('conflict')
      await svc().append(orderId, 2, [captured(orderId)])
      expect(await svc().ship(orderId)).toMatchObject({ status: 'shipped', version: 4 })
      expect(await kindOf(svc().cancel(orderId, ada.id))).toBe('conflict')
      expect((await svc().events(orderId)).at(-1)).toMatchObject({
        type: 'OrderShipped',
        data: { orderId },
      })
    })

    it('lets only the owner cancel, and a cancelled order cannot ship', async () => {
      const { orderId } = placeInput()
      await svc().place(placeInput(ada.id, orderId))
      expect(await kindOf(svc().cancel(orderId, bob.id))).toBe('forbidden')
      expect(await svc().cancel(orderId, ada.id)).toMatchObject({ status: 'cancelled', version: 3 })
      expect(await svc().cancel(orderId, ada.id)).toMatchObject({ version: 3 })
      expect(await kindOf(svc().ship(orderId))).toBe('conflict')
      expect(await kindOf(svc().ship('nope-order'))).toBe('not-found')
      expect(await kindOf(svc().cancel('nope-order', ada.id))).toBe('not-found')
    })

    it('lists a customer’s orders newest first, and the customer with them', async () => {
      const first = await svc().place(placeInput(bob.id))
      const second = await svc().place(placeInput(bob.id))
      const mine = await svc().ordersOf(bob.id)
      expect(mine.map((o) => o.id).sort()).toEqual([first.id, second.id].sort())
      expect(mine.every((o) => o.userId === bob.id)).toBe(true)
      expect(mine[0]!.createdAt >= mine[1]!.createdAt).toBe(true)
      const view = await svc().userOrders(bob.id)
      expect(view.user).toEqual(bob)
      expect(view.items).toEqual(mine)
      expect(view.nextCursor).toBeNull()
      expect(await svc().ordersOf('u-nobody')).toEqual([])
      expect(await kindOf(svc().userOrders('u-nobody'))).toBe('not-found')
    })

    it('pages a customer’s orders with a cursor: every order once, newest first', async () => {
      const carol = { id: 'u-carol', name: 'Carol', email: 'carol@example.test' }
      people.set(carol.id, carol)
      const placed: string[] = []
      for (let i = 0; i < 5; i++) placed.push((await svc().place(placeInput(carol.id))).id)
      const seen: string[] = []
      let cursor: string | undefined
      let pages = 0
      do {
        const page = await svc().userOrders(carol.id, { limit: 2, cursor })
        expect(page.items.length).toBeLessThanOrEqual(2)
        seen.push(...page.items.map((o) => o.id))
        cursor = page.nextCursor ?? undefined
        pages++
      } while (cursor && pages < 10)
      expect(pages).toBe(3)
      expect([...seen].sort()).toEqual([...placed].sort())
      expect(new Set(seen).size).toBe(5)
      const all = await svc().ordersOf(carol.id)
      expect(all.map((o) => o.id)).toEqual(seen)
      expect(await kindOf(svc().userOrders(carol.id, { cursor: 'not-a-cursor' }))).toBe('invalid')
    })

    it('pages through the whole store in append order', async () => {
      const all = await svc().allEvents(0, 1000)
      expect(all.length).toBeGreaterThan(10)
      const positions = all.map((e) => e.position)
      expect(positions).toEqual([...positions].sort((a, b) => a - b))
      const page = await svc().allEvents(positions[3]!, 2)
      expect(page.map((e) => e.position)).toEqual(positions.slice(4, 6))
      expect(page[0]).toEqual(all[4]!)
      expect(all.every((e) => typeof e.data.orderId === 'string')).toBe(true)
    })
  },
)

describe('Orders routes', () => {
  let d: Database
  let svc: OrdersService
  let app: Hono<AppEnv>
  let adaToken = ''
  let bobToken = ''
  let adminToken = ''
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` })
  const json = (token: string, body: string) => ({
    method: 'POST',
    headers: { ...auth(token), 'Content-Type': 'application/json' },
    body,
  })
  const placeFor = async (userId: string) => (await svc.place(placeInput(userId))).id

  beforeAll(async () => {
    d = await memoryDatabase(orders)
    svc = new OrdersService(d.db, sqliteOutbox('orders'), people)
    app = testApp(ordersRoutes(svc))
    adaToken = await testTokens.issue({ id: ada.id, email: ada.email, role: 'customer' })
    bobToken = await testTokens.issue({ id: bob.id, email: bob.email, role: 'customer' })
    adminToken = await testTokens.issue({ id: 'u-admin', email: 'a@x.test', role: 'admin' })
  })
  afterAll(() => d.close())

  it('shows an order to its owner and to admins, 403 to others, 401 anonymous', async () => {
    const id = await placeFor(ada.id)
    const res = await app.request(`/api/orders/${id}`, { headers: auth(adaToken) })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(Object.keys(body).sort()).toEqual(
      ['createdAt', 'id', 'items', 'status', 'total', 'userId', 'version'].sort(),
    )
    expect(body).toMatchObject({ id, userId: ada.id, status: 'confirmed', version: 2 })
    expect((await app.request(`/api/orders/${id}`, { headers: auth(adminToken) })).status).toBe(200)
    await expectProblem(await app.request(`/api/orders/${id}`, { headers: auth(bobToken) }), 403)
    await expectProblem(await app.request(`/api/orders/${id}`), 401)
    await expectProblem(
      await app.request('/api/orders/nope-order', { headers: auth(adminToken) }),
      404,
    )
    await expectProblem(
      await app.request(`/api/orders/${'x'.repeat(65)}`, { headers: auth(adminToken) }),
      400,
    )
  })

  it('lists an order’s events to its owner and admins', async () => {
    const id = await placeFor(ada.id)
    const res = await app.request(`/api/orders/${id}/events`, { headers: auth(adaToken) })
    expect(res.status).toBe(200)
    const { items } = await res.json()
    expect(items.map((e: { type: string }) => e.type)).toEqual(['OrderPlaced', 'OrderConfirmed'])
    expect(Object.keys(items[0]).sort()).toEqual(['data', 'occurredAt', 'seq', 'type'])
    const admin = await app.request(`/api/orders/${id}/events`, { headers: auth(adminToken) })
    expect(admin.status).toBe(200)
    await expectProblem(
      await app.request(`/api/orders/${id}/events`, { headers: auth(bobToken) }),
      403,
    )
    await expectProblem(await app.request(`/api/orders/${id}/events`), 401)
    await expectProblem(
      await app.request('/api/orders/nope-order/events', { headers: auth(adaToken) }),
      404,
    )
  })

  it('ships for admins only', async () => {
    const id = await placeFor(ada.id)
    await svc.append(id, 2, [captured(id)])
    await expectProblem(await app.request(`/api/orders/${id}/ship`, json(adaToken, '')), 403)
    await expectProblem(await app.request(`/api/orders/${id}/ship`, { method: 'POST' }), 401)
    const res = await app.request(`/api/orders/${id}/ship`, json(adminToken, ''))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id, status: 'shipped', version: 4 })
    await expectProblem(await app.request('/api/orders/nope-order/ship', json(adminToken, '')), 404)
  })

  it('refuses to ship an unpaid order (409)', async () => {
    const id = await placeFor(ada.id)
    await expectProblem(await app.request(`/api/orders/${id}/ship`, json(adminToken, '')), 409)
  })

  it('lists a user with their orders to themselves and admins', async () => {
    const id = await placeFor(bob.id)
    const res = await app.request(`/api/users/${bob.id}/orders`, { headers: auth(bobToken) })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.user).toEqual({ id: bob.id, name: bob.name, email: bob.email })
    expect(body.items.map((o: { id: string }) => o.id)).toContain(id)
    expect(body.nextCursor).toBeNull()
    const admin = await app.request(`/api/users/${bob.id}/orders`, { headers: auth(adminToken) })
    expect(admin.status).toBe(200)
    const one = await app.request(`/api/users/${bob.id}/orders?limit=1`, {
      headers: auth(bobToken),
    })
    const page = await one.json()
    expect(page.items).toHaveLength(1)
    for (const bad of ['limit=0', 'limit=101', 'limit=x', 'cursor=%21%21']) {
      await expectProblem(
        await app.request(`/api/users/${bob.id}/orders?${bad}`, { headers: auth(bobToken) }),
        400,
      )
    }
    await expectProblem(
      await app.request(`/api/users/${bob.id}/orders`, { headers: auth(adaToken) }),
      403,
    )
    await expectProblem(await app.request(`/api/users/${bob.id}/orders`), 401)
    await expectProblem(
      await app.request('/api/users/u-nobody/orders', { headers: auth(adminToken) }),
      404,
    )
  })

  it('answers 409 problem to the loser of two concurrent appends over HTTP', async () => {
    const id = await placeFor(ada.id)
    const append = (type: string) =>
      app.request(`/internal/orders/orders/${id}/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ expectedVersion: 2, events: [{ type, data: { orderId: id } }] }),
      })
    const [a, b] = await Promise.all([append('OrderCancelled'), append('OrderCancelled')])
    expect([a.status, b.status].sort()).toEqual([200, 409])
    await expectProblem(a.status === 409 ? a : b, 409)
  })

  it('answers bad internal bodies with 400 problems, unknown ids with 404', async () => {
    const id = await placeFor(ada.id)
    const post = (path: string, body: string) =>
      app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
    const eventsPath = `/internal/orders/orders/${id}/events`
    await expectProblem(await post(eventsPath, '{"expectedVersion": '), 400)
    await expectProblem(await post(eventsPath, '{}'), 400)
    await expectProblem(await post(eventsPath, '{"expectedVersion":"2","events":[]}'), 400)
    await expectProblem(
      await post(eventsPath, JSON.stringify({ expectedVersion: 1e300, events: [captured(id)] })),
      400,
    )
    await expectProblem(
      await post(
        eventsPath,
        JSON.stringify({ expectedVersion: 2, events: [{ type: 'Nope', data: {} }] }),
      ),
      400,
    )
    await expectProblem(
      await post(
        '/internal/orders/orders/nope-order/events',
        JSON.stringify({ expectedVersion: 2, events: [captured('nope-order')] }),
      ),
      404,
    )
    await expectProblem(await post('/internal/orders/orders', '[1,2'), 400)
    await expectProblem(await post('/internal/orders/orders', '{"orderId": 5}'), 400)
    await expectProblem(
      await post('/internal/orders/orders', JSON.stringify({ ...placeInput(), items: [] })),
      400,
    )
    await expectProblem(await post(`/internal/orders/orders/${id}/cancel`, '{}'), 400)
    await expectProblem(
      await post(
        `/internal/orders/orders/${id}/cancel`,
        JSON.stringify({ byUserId: 'x'.repeat(100) }),
      ),
      400,
    )
    await expectProblem(
      await post('/internal/orders/orders/nope-order/cancel', JSON.stringify({ byUserId: ada.id })),
      404,
    )
    await expectProblem(await app.request('/internal/orders/events?after=-1'), 400)
    await expectProblem(await app.request('/internal/orders/events?limit=100000'), 400)
    await expectProblem(await app.request('/internal/orders/orders/nope-order'), 404)
  })
})
