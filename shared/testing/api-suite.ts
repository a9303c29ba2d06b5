import { beforeAll, describe, expect, it } from 'bun:test'
import { publicEndpoints } from '../wiring/registry.ts'
import { eventually } from './wait.ts'

export { eventually }

// The HTTP API suite of api.md. It talks to a base URL only, so the very same suite runs
// against the monolith (:3000) and the micro gateway (:4000).

type Json = Record<string, any>
export interface Answer {
  status: number
  headers: Headers
  body: Json
}

// covered records which endpoints of contracts/api.ts the suite exercised
const covered = new Set<string>()

export const CARD_OK = { number: '4242424242424242', expiry: '12/39', cvc: '123' }
export const CARD_DECLINED = { number: '4000000000000002', expiry: '12/39', cvc: '123' }

// apiSuite registers the suite against whatever base() returns when the tests run
export function apiSuite(name: string, base: () => string) {
  async function call(
    method: string,
    path: string,
    opts: { token?: string; json?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const template = path.replace(
      /\/(p-\d+|u-[\w-]+|[0-9a-f-]{36}|nope[\w-]*)(?=\/|$|\?)/g,
      '/{id}',
    )
    covered.add(`${method.toLowerCase()} ${template.split('?')[0]}`)
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`
    let body: string | undefined
    if (opts.json !== undefined || opts.raw !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = opts.raw ?? JSON.stringify(opts.json)
    }
    const res = await fetch(`${base()}${path}`, { method, headers, body })
    const text = await res.text()
    let parsed: Json = {}
    try {
      parsed = text ? JSON.parse(text) : {}
    } catch {
      parsed = { text }
    }
    return { status: res.status, headers: res.headers, body: parsed }
  }

  const expectProblem = (a: Answer, status: number) => {
    expect(a.status).toBe(status)
    expect(a.headers.get('content-type')).toContain('application/problem+json')
    expect(a.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) })
    expect(a.body.type).toStartWith('https://')
  }

  const login = async (email: string, password: string) => {
    const a = await call('POST', '/api/auth/login', { json: { email, password } })
    expect(a.status).toBe(200)
    return a.body.token as string
  }

  describe(`HTTP API (${name})`, () => {
    let demo = ''
    let admin = ''
    let me = { id: '', email: '', token: '' }

    beforeAll(async () => {
      demo = await login('demo1@twinstack.dev', 'demo-password')
      admin = await login('admin@twinstack.dev', 'admin-password')
      const email = `suite-${crypto.randomUUID()}@example.com`
      const reg = await call('POST', '/api/auth/register', {
        json: { email, password: 'correct horse battery', name: 'Suite User' },
      })
      expect(reg.status).toBe(201)
      me = { id: reg.body.id, email, token: await login(email, 'correct horse battery') }
    })

    describe('operations', () => {
      it('answers /_/health with the deployment', async () => {
        const a = await call('GET', '/_/health')
        expect(a.status).toBe(200)
        expect(a.body).toMatchObject({ status: 'ok', deployment: expect.any(String) })
        expect(a.headers.get('x-request-id')).toBeTruthy()
      })

      it('answers /_/status with services, breakers and queues', async () => {
        const a = await call('GET', '/_/status')
        expect(a.status).toBe(200)
        expect(a.body.services.length).toBeGreaterThan(0)
        expect(a.body.services[0]).toMatchObject({ name: expect.any(String), healthy: true })
        expect(Array.isArray(a.body.breakers)).toBe(true)
        expect(Array.isArray(a.body.queues)).toBe(true)
      })

      it('serves Prometheus metrics', async () => {
        await call('GET', '/api/products?limit=1')
        const res = await fetch(`${base()}/_/metrics`)
        expect(res.status).toBe(200)
        expect(await res.text()).toContain('http_requests_total')
      })

      it('serves the OpenAPI document and an offline docs page', async () => {
        const doc = await call('GET', '/openapi.json')
        expect(doc.body.openapi).toStartWith('3.')
        for (const e of publicEndpoints()) expect(doc.body.paths[e.path]?.[e.method]).toBeDefined()
        const page = await fetch(`${base()}/docs`)
        const html = await page.text()
        expect(html).toContain('/docs/swagger-ui-bundle.js')
        expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)[^"']*\.(js|css)/)
        const js = await fetch(`${base()}/docs/swagger-ui-bundle.js`)
        expect(js.status).toBe(200)
        expect((await js.text()).length).toBeGreaterThan(100_000)
      })

      it('answers unknown routes with a 404 problem and a request id', async () => {
        const a = await call('GET', '/api/nope-route')
        expectProblem(a, 404)
        expect(a.headers.get('x-request-id')).toBeTruthy()
      })

      it('keeps internal routes closed to callers without the service token', async () => {
        const a = await call('GET', '/internal/catalog/products/p-0001')
        expect([403, 404]).toContain(a.status)
      })
    })

    describe('users and auth', () => {
      it('registers, refuses a taken email with 409, and logs in', async () => {
        const email = `x-${crypto.randomUUID()}@example.com`
        const reg = await call('POST', '/api/auth/register', {
          json: { email, password: 'long enough pw', name: 'X' },
        })
        expect(reg.status).toBe(201)
        expect(reg.body).toEqual({ id: expect.any(String), email, name: 'X' })
        expectProblem(
          await call('POST', '/api/auth/register', {
            json: { email: email.toUpperCase(), password: 'long enough pw', name: 'Y' },
          }),
          409,
        )
        const a = await call('POST', '/api/auth/login', {
          json: { email, password: 'long enough pw' },
        })
        expect(a.status).toBe(200)
        expect(a.body.user).toMatchObject({ id: reg.body.id, email, name: 'X', role: 'customer' })
      })

      it('refuses a wrong password and an unknown email with 401', async () => {
        expectProblem(
          await call('POST', '/api/auth/login', {
            json: { email: 'demo1@twinstack.dev', password: 'wrong' },
          }),
          401,
        )
        expectProblem(
          await call('POST', '/api/auth/login', { json: { email: 'nobody@x.dev', password: 'x' } }),
          401,
        )
      })

      it('answers bad register and login bodies with 400 problems', async () => {
        for (const path of ['/api/auth/register', '/api/auth/login']) {
          expectProblem(await call('POST', path, { raw: '{"email": ' }), 400)
          expectProblem(await call('POST', path, { json: { email: 42, password: [] } }), 400)
          expectProblem(await call('POST', path, { json: {} }), 400)
        }
        expectProblem(
          await call('POST', '/api/auth/register', {
            json: { email: 'a@b.dev', password: 'x'.repeat(10_000), name: 'n' },
          }),
          400,
        )
      })

      it('refuses a forged token with 401', async () => {
        expectProblem(await call('GET', '/api/notifications', { token: `${demo}x` }), 401)
        expectProblem(await call('GET', '/api/notifications'), 401)
      })

      it('answers an oversized body with 413', async () => {
        const a = await call('POST', '/api/auth/register', {
          raw: JSON.stringify({ email: 'a@b.dev', password: 'x', name: 'y'.repeat(2_000_000) }),
        })
        expectProblem(a, 413)
      })
    })

    describe('catalog and the product page', () => {
      it('lists products with prices, filtered and paged', async () => {
        const a = await call('GET', '/api/products?category=toys&limit=5&offset=0')
        expect(a.status).toBe(200)
        expect(a.body.total).toBeGreaterThan(5)
        expect(a.body.items).toHaveLength(5)
        for (const p of a.body.items) {
          expect(p).toMatchObject({ id: expect.any(String), category: 'toys' })
          expect(p.price).toMatchObject({ amount: expect.any(Number), currency: 'EUR' })
        }
        const q = await call('GET', '/api/products?q=kite&limit=100')
        expect(q.body.items.every((p: Json) => p.name.toLowerCase().includes('kite'))).toBe(true)
      })

      it('answers bad list queries with 400', async () => {
        expectProblem(await call('GET', '/api/products?limit=100000'), 400)
        expectProblem(await call('GET', '/api/products?offset=-1'), 400)
        expectProblem(await call('GET', '/api/products?limit=abc'), 400)
      })

      it('composes the product page from four modules', async () => {
        const a = await call('GET', '/api/products/p-0001')
        expect(a.status).toBe(200)
        expect(a.body).toMatchObject({
          id: 'p-0001',
          name: expect.any(String),
          description: expect.any(String),
          category: 'books',
          price: { amount: expect.any(Number), currency: 'EUR' },
          rating: { average: expect.any(Number), count: expect.any(Number) },
          stock: { available: expect.any(Number) },
          degraded: [],
        })
        expect(a.body.reviews.length).toBeLessThanOrEqual(5)
        // the public answer carries the secure headers and the platform's trace headers
        expect(a.headers.get('X-Content-Type-Options')).toBe('nosniff')
        expect(a.headers.get('X-Frame-Options')).toBe('SAMEORIGIN')
        expect(a.headers.get('X-Request-Id')).toBeTruthy()
        expect(a.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
        expect(Number(a.headers.get('X-Hops'))).toBeGreaterThanOrEqual(0)
      })

      it('answers an unknown product with 404', async () => {
        expectProblem(await call('GET', '/api/products/p-9999'), 404)
      })

      it('reflects a review and a sale committed before it was requested (nothing cached)', async () => {
        const page = async () => {
          const a = await call('GET', '/api/products/p-0017')
          expect(a.status).toBe(200)
          return a.body
        }
        // asked twice first, so any cache would hold the old page
        await page()
        const before = await page()
        const text = `fresh review ${crypto.randomUUID()}`
        const review = await call('POST', '/api/products/p-0017/reviews', {
          token: me.token,
          json: { rating: 5, text },
        })
        expect(review.status).toBe(201)
        const reviewed = await page()
        expect(reviewed.rating.count).toBe(before.rating.count + 1)
        expect(reviewed.reviews[0].text).toBe(text)

        const sale = await call('POST', '/api/checkout', {
          token: me.token,
          json: { items: [{ productId: 'p-0017', quantity: 1 }], card: CARD_OK },
        })
        expect(sale.status).toBe(201)
        const sold = await page()
        expect(sold.stock.available).toBe(before.stock.available - 1)
      })

      it('answers ids with control characters or padding with 400, never another product', async () => {
        for (const bad of ['%00', '%09', '%0a', '%20']) {
          expectProblem(await call('GET', `/api/products/p-0001${bad}`), 400)
          expectProblem(await call('GET', `/api/products/p-0001${bad}/reviews`), 400)
        }
      })
    })

    describe('reviews', () => {
      it('lists reviews and adds one for a signed-in user', async () => {
        const before = await call('GET', '/api/products/p-0002/reviews')
        expect(before.status).toBe(200)
        const text = `suite review ${crypto.randomUUID()}`
        const add = await call('POST', '/api/products/p-0002/reviews', {
          token: me.token,
          json: { rating: 4, text },
        })
        expect(add.status).toBe(201)
        expect(add.body).toMatchObject({ rating: 4, text, userId: me.id })
        const after = await call('GET', '/api/products/p-0002/reviews')
        expect(after.body.items.some((r: Json) => r.text === text)).toBe(true)
      })

      it('refuses anonymous, bad and unknown-product reviews', async () => {
        expectProblem(
          await call('POST', '/api/products/p-0002/reviews', { json: { rating: 4, text: 'x' } }),
          401,
        )
        const t = { token: me.token }
        expectProblem(await call('POST', '/api/products/p-0002/reviews', { ...t, raw: '{' }), 400)
        expectProblem(
          await call('POST', '/api/products/p-0002/reviews', {
            ...t,
            json: { rating: 9, text: 'x' },
          }),
          400,
        )
        expectProblem(
          await call('POST', '/api/products/p-0002/reviews', { ...t, json: { rating: '4' } }),
          400,
        )
        expectProblem(
          await call('POST', '/api/products/p-9999/reviews', {
            ...t,
            json: { rating: 4, text: 'x' },
          }),
          404,
        )
        expectProblem(await call('GET', '/api/products/p-9999/reviews'), 404)
      })
    })

    describe('checkout, orders, notifications and reports', () => {
      let orderId = ''

      it('checks out a basket and confirms the order', async () => {
        const a = await call('POST', '/api/checkout', {
          token: me.token,
          json: { items: [{ productId: 'p-0003', quantity: 2 }], card: CARD_OK },
        })
        expect(a.status).toBe(201)
        // read before toMatchObject: Bun 1.4.5's toMatchObject writes asymmetric matchers into
        // the object it checks
        orderId = a.body.orderId
        expect(orderId).toEqual(expect.any(String))
        expect(a.body).toMatchObject({
          status: 'confirmed',
          total: { amount: expect.any(Number), currency: 'EUR' },
          steps: {
            inventory: expect.any(Object),
            payment: expect.any(Object),
            shipping: expect.any(Object),
          },
        })
      })

      it('returns the first result for a repeated Idempotency-Key', async () => {
        const key = crypto.randomUUID()
        const req = {
          token: me.token,
          json: { items: [{ productId: 'p-0004', quantity: 1 }], card: CARD_OK },
          headers: { 'Idempotency-Key': key },
        }
        const first = await call('POST', '/api/checkout', req)
        const second = await call('POST', '/api/checkout', req)
        expect(first.status).toBe(201)
        expect(second.status).toBe(201)
        expect(second.body).toEqual(first.body)
        // the key is bound to its request: another body is refused, the sale stays one
        const other = {
          ...req,
          json: { items: [{ productId: 'p-0004', quantity: 2 }], card: CARD_OK },
        }
        const reused = await call('POST', '/api/checkout', other)
        expectProblem(reused, 422)
        expect(reused.body.reason).toBe('idempotency-key-reused')
      })

      it('refuses a declined card with 422 and an empty shelf with 409, keeping stock', async () => {
        const stock = async () => (await call('GET', '/api/products/p-0005')).body.stock.available
        const before = await stock()
        expectProblem(
          await call('POST', '/api/checkout', {
            token: me.token,
            json: { items: [{ productId: 'p-0005', quantity: 1 }], card: CARD_DECLINED },
          }),
          422,
        )
        expect(await stock()).toBe(before)
        expectProblem(
          await call('POST', '/api/checkout', {
            token: me.token,
            json: { items: [{ productId: 'p-0050', quantity: 1 }], card: CARD_OK },
          }),
          409,
        )
      })

      it('answers bad checkout bodies with 4xx problems', async () => {
        const t = { token: me.token }
        expectProblem(await call('POST', '/api/checkout', { json: {} }), 401)
        expectProblem(await call('POST', '/api/checkout', { ...t, raw: '{"items": [' }), 400)
        expectProblem(await call('POST', '/api/checkout', { ...t, json: {} }), 400)
        expectProblem(
          await call('POST', '/api/checkout', { ...t, json: { items: 'many', card: CARD_OK } }),
          400,
        )
        expectProblem(
          await call('POST', '/api/checkout', {
            ...t,
            json: { items: [{ productId: 'p-0001', quantity: 1e12 }], card: CARD_OK },
          }),
          400,
        )
        expectProblem(
          await call('POST', '/api/checkout', {
            ...t,
            json: { items: [{ productId: 'p-0001', quantity: 1 }], card: { number: 'x' } },
          }),
          400,
        )
        expectProblem(
          await call('POST', '/api/checkout', {
            ...t,
            json: { items: [{ productId: 'nope-1', quantity: 1 }], card: CARD_OK },
          }),
          404,
        )
      })

      it('folds the order from its events', async () => {
        const a = await call('GET', `/api/orders/${orderId}`, { token: me.token })
        expect(a.status).toBe(200)
        expect(a.body).toMatchObject({ id: orderId, userId: me.id, status: 'paid' })
        expect(a.body.items[0]).toMatchObject({ productId: 'p-0003', quantity: 2 })
        const ev = await call('GET', `/api/orders/${orderId}/events`, { token: me.token })
        expect(ev.body.items.map((e: Json) => e.type)).toEqual([
          'OrderPlaced',
          'OrderConfirmed',
          'PaymentCaptured',
        ])
        expect(ev.body.items.map((e: Json) => e.seq)).toEqual([1, 2, 3])
        expect(a.body.version).toBe(3)
      })

      it('keeps orders to their owner and admins', async () => {
        expectProblem(await call('GET', `/api/orders/${orderId}`, { token: demo }), 403)
        expect((await call('GET', `/api/orders/${orderId}`, { token: admin })).status).toBe(200)
        expectProblem(await call('GET', '/api/orders/nope-order', { token: admin }), 404)
      })

      it('lists a user with their orders from the shared database', async () => {
        const a = await call('GET', `/api/users/${me.id}/orders`, { token: me.token })
        expect(a.status).toBe(200)
        expect(a.body.user).toEqual({ id: me.id, name: 'Suite User', email: me.email })
        expect(a.body.items.some((o: Json) => o.id === orderId)).toBe(true)
        expect(a.body.nextCursor).toBeNull()
        expectProblem(await call('GET', `/api/users/${me.id}/orders`, { token: demo }), 403)
      })

      it('pages a user’s orders with a cursor, each order once', async () => {
        const all = (await call('GET', `/api/users/${me.id}/orders`, { token: me.token })).body
        expect(all.items.length).toBeGreaterThanOrEqual(2)
        const seen: string[] = []
        let cursor: string | null = null
        for (let page = 0; page < all.items.length + 1; page++) {
          const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
          const a = await call('GET', `/api/users/${me.id}/orders?limit=1${q}`, { token: me.token })
          expect(a.status).toBe(200)
          expect(a.body.items.length).toBeLessThanOrEqual(1)
          seen.push(...a.body.items.map((o: Json) => o.id))
          cursor = a.body.nextCursor
          if (!cursor) break
        }
        expect(seen).toEqual(all.items.map((o: Json) => o.id))
        expectProblem(
          await call('GET', `/api/users/${me.id}/orders?cursor=garbage`, { token: me.token }),
          400,
        )
      })

      it('delivers exactly one payment confirmation per payment, eventually', async () => {
        const mine = await eventually(async () => {
          const a = await call('GET', '/api/notifications', { token: me.token })
          const forOrder = a.body.items.filter((n: Json) => n.orderId === orderId)
          expect(forOrder).toHaveLength(1)
          return forOrder
        })
        expect(mine[0]).toMatchObject({ kind: 'payment-confirmation', to: me.email })
        const page = await call('GET', '/api/notifications?limit=1', { token: me.token })
        expect(page.body.items).toHaveLength(1)
        expect(Object.keys(page.body).sort()).toEqual(['items', 'nextCursor'])
        expectProblem(await call('GET', '/api/notifications?cursor=nope', { token: me.token }), 400)
      })

      it('ships as admin, then refuses the owner cancelling with 409', async () => {
        expectProblem(await call('POST', `/api/orders/${orderId}/ship`, { token: me.token }), 403)
        const ship = await call('POST', `/api/orders/${orderId}/ship`, { token: admin })
        expect(ship.status).toBe(200)
        expect(ship.body.status).toBe('shipped')
        expectProblem(await call('POST', `/api/orders/${orderId}/cancel`, { token: me.token }), 409)
      })

      it('lets the owner cancel an order that has not shipped', async () => {
        const a = await call('POST', '/api/checkout', {
          token: me.token,
          json: { items: [{ productId: 'p-0006', quantity: 1 }], card: CARD_OK },
        })
        expect(a.status).toBe(201)
        expectProblem(
          await call('POST', `/api/orders/${a.body.orderId}/cancel`, { token: demo }),
          403,
        )
        const c = await call('POST', `/api/orders/${a.body.orderId}/cancel`, { token: me.token })
        expect(c.status).toBe(200)
        expect(c.body.status).toBe('cancelled')
        // the refund reaches the customer as a message of its own, once
        const refunds = await eventually(async () => {
          const n = await call('GET', '/api/notifications', { token: me.token })
          const mine = n.body.items.filter(
            (i: { kind: string; orderId: string }) =>
              i.kind === 'refund-confirmation' && i.orderId === a.body.orderId,
          )
          expect(mine).toHaveLength(1)
          return mine
        })
        expect(refunds[0].to).toBe(me.email)
      })

      it('puts a cancelled order’s stock back on the shelf', async () => {
        const stock = async () => (await call('GET', '/api/products/p-0007')).body.stock.available
        const before = await stock()
        const a = await call('POST', '/api/checkout', {
          token: me.token,
          json: { items: [{ productId: 'p-0007', quantity: 2 }], card: CARD_OK },
        })
        expect(a.status).toBe(201)
        expect(await stock()).toBe(before - 2)
        const c = await call('POST', `/api/orders/${a.body.orderId}/cancel`, { token: me.token })
        expect(c.status).toBe(200)
        expect(await stock()).toBe(before)
      })

      it('shows the saga log at rest to admins: nothing in flight, no stock held', async () => {
        expectProblem(await call('GET', '/api/checkout/sagas', { token: me.token }), 403)
        const a = await eventually(async () => {
          const r = await call('GET', '/api/checkout/sagas', { token: admin })
          expect(r.status).toBe(200)
          expect(r.body.inFlight).toBe(0)
          expect(r.body.reservedUnits).toBe(0)
          return r
        })
        expect(a.body.states.done).toBeGreaterThanOrEqual(1)
        expect(a.body.states.cancelled).toBeGreaterThanOrEqual(1)
      })

      it('reports sales from the read model, eventually, with asOf', async () => {
        const today = new Date().toISOString().slice(0, 10)
        const report = await eventually(async () => {
          const a = await call('GET', `/api/reports/sales?from=${today}&to=${today}`, {
            token: admin,
          })
          expect(a.status).toBe(200)
          expect(a.body.orders).toBeGreaterThanOrEqual(1)
          return a.body
        })
        expect(report.asOf).toEqual(expect.any(String))
        expect(report.byDay.find((d: Json) => d.day === today)).toBeDefined()
        const top = await call('GET', '/api/reports/top-products?limit=5', { token: admin })
        expect(top.status).toBe(200)
        expect(top.body.items.length).toBeGreaterThan(0)
        expect(top.body.asOf).toEqual(expect.any(String))
      })

      it('rebuilds the read model from the event store to the same figures', async () => {
        const today = new Date().toISOString().slice(0, 10)
        const sales = `/api/reports/sales?from=${today}&to=${today}`
        // let live consumption catch up with every order event first
        await eventually(async () => {
          const s = await call('GET', '/_/status')
          expect(s.body.queues.find((q: Json) => q.topic === 'orders')?.pending ?? 0).toBe(0)
        })
        const live = await eventually(async () => {
          const a = await call('GET', sales, { token: admin })
          const b = await call('GET', sales, { token: admin })
          expect(b.body).toEqual(a.body)
          return a.body
        })
        const rebuilt = await call('POST', '/api/reports/rebuild', { token: admin })
        expect(rebuilt.status).toBe(200)
        expect(rebuilt.body.replayed).toBeGreaterThan(0)
        const after = (await call('GET', sales, { token: admin })).body
        expect({ orders: after.orders, revenue: after.revenue }).toEqual({
          orders: live.orders,
          revenue: live.revenue,
        })
      })

      it('keeps reports to admins and checks their queries', async () => {
        expectProblem(await call('GET', '/api/reports/sales', { token: me.token }), 403)
        expectProblem(await call('GET', '/api/reports/sales'), 401)
        expectProblem(await call('GET', '/api/reports/sales?from=yesterday', { token: admin }), 400)
        expectProblem(await call('GET', '/api/reports/top-products?limit=0', { token: admin }), 400)
        expectProblem(await call('POST', '/api/reports/rebuild', { token: me.token }), 403)
      })
    })

    describe('loans', () => {
      it('runs an application through the chain and keeps the trail in order', async () => {
        const a = await call('POST', '/api/loans', {
          token: me.token,
          json: { amount: 5000, termMonths: 24, monthlyIncome: 4000, purpose: 'car' },
        })
        expect(a.status).toBe(201)
        expect(['approved', 'rejected']).toContain(a.body.decision)
        expect(a.body.trail.map((s: Json) => s.step)).toEqual([
          'validation',
          'credit-check',
          'approval',
        ])
        expect(a.body.trail[1].score).toEqual(expect.any(Number))
        const got = await call('GET', `/api/loans/${a.body.id}`, { token: me.token })
        expect(got.status).toBe(200)
        expect(got.body).toEqual(a.body)
        expectProblem(await call('GET', `/api/loans/${a.body.id}`, { token: demo }), 403)
        expect((await call('GET', `/api/loans/${a.body.id}`, { token: admin })).status).toBe(200)
      })

      it('stops an invalid application at validation with 422 and the trail', async () => {
        const a = await call('POST', '/api/loans', {
          token: me.token,
          json: { amount: 900000, termMonths: 24, monthlyIncome: 10, purpose: 'yacht' },
        })
        expectProblem(a, 422)
        expect(a.body.trail.at(-1)).toMatchObject({ step: 'validation', ok: false })
        expect(a.body.trail).toHaveLength(1)
      })

      it('answers bad loan bodies with 4xx problems', async () => {
        const t = { token: me.token }
        expectProblem(await call('POST', '/api/loans', { json: {} }), 401)
        expectProblem(await call('POST', '/api/loans', { ...t, raw: 'not json' }), 400)
        expectProblem(await call('POST', '/api/loans', { ...t, json: { amount: 'lots' } }), 400)
        expectProblem(
          await call('POST', '/api/loans', {
            ...t,
            json: { amount: 1e300, termMonths: 12, monthlyIncome: 1, purpose: 'x' },
          }),
          400,
        )
        expectProblem(await call('GET', '/api/loans/nope-loan', t), 404)
      })
    })

    it('exercised every public endpoint of api.md', () => {
      const all = publicEndpoints().map((e) => `${e.method} ${e.path}`)
      expect(all.filter((e) => !covered.has(e))).toEqual([])
    })
  })
}
