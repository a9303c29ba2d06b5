import { afterEach, beforeEach, describe, expect, it } from 'bun:test'
import type { IntegrationEvent } from '../../contracts/events.ts'
import type { Orders, StoredEvent } from '../../contracts/orders.ts'
import type { Reporting } from '../../contracts/reporting.ts'
import { isDomainError } from '../../domain/errors.ts'
import { Rng } from '../../domain/prng.ts'
import { inboxed } from '../../platform/bus/inbox.ts'
import { inbox } from '../../platform/bus/schema.ts'
import type { Database } from '../../platform/db/index.ts'
import { write } from '../../platform/db/index.ts'
import { memoryDatabase, testApp, testTokens, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import {
  clearReadModel,
  ReportingService,
  reporting,
  reportingClient,
  reportingConsumers,
  reportingRoutes,
} from './index.ts'

type Fact = Omit<StoredEvent, 'position' | 'seq'>
const eur = (amount: number) => ({ amount, currency: 'EUR' })
const line = (productId: string, name: string, quantity: number, unit: number) => ({
  productId,
  name,
  quantity,
  unitPrice: eur(unit),
})

// history builds a small order history whose figures are worked out by hand below
function history(): Fact[] {
  const facts: Fact[] = []
  let minute = 0
  const at = (day: string) => `${day}T10:${String(minute++).padStart(2, '0')}:00.000Z`
  const placed = (day: string, orderId: string, items: ReturnType<typeof line>[]) => {
    const total = items.reduce((c, i) => c + Math.round(i.unitPrice.amount * 100) * i.quantity, 0)
    facts.push({
      orderId,
      type: 'OrderPlaced',
      occurredAt: at(day),
      data: { orderId, userId: 'u-0001', items, total: eur(total / 100) },
    })
  }
  const status = (day: string, orderId: string, type: string) =>
    facts.push({ orderId, type, occurredAt: at(day), data: { orderId } })
  const [d1, d2, d3] = ['2025-03-01', '2025-03-02', '2025-03-03'] as const
  placed(d1, 'o1', [line('p-1', 'Kite', 2, 10), line('p-2', 'Drill', 1, 25.5)])
  status(d1, 'o1', 'OrderConfirmed')
  placed(d1, 'o2', [line('p-3', 'Teapot', 4, 7.25)])
  status(d1, 'o2', 'OrderConfirmed')
  placed(d2, 'o3', [line('p-1', 'Kite', 1, 10)])
  status(d2, 'o3', 'OrderConfirmed')
  status(d2, 'o3', 'PaymentCaptured')
  status(d2, 'o3', 'OrderShipped')
  status(d2, 'o2', 'OrderCancelled')
  placed(d2, 'o4', [line('p-2', 'Drill', 2, 25.5)])
  placed(d3, 'o5', [line('p-3', 'Teapot', 1, 7.25), line('p-1', 'Kite', 3, 10)])
  status(d3, 'o5', 'OrderCancelled')
  status(d3, 'o5', 'OrderConfirmed')
  placed(d3, 'o6', [line('p-2', 'Drill', 1, 25.5)])
  status(d3, 'o6', 'OrderConfirmed')
  return facts
}

// bulkHistory builds a long pseudo-random history, longer than one replay page
function bulkHistory(orders: number): Fact[] {
  const rng = new Rng(7)
  const facts: Fact[] = []
  const open: string[] = []
  for (let i = 0; i < orders; i++) {
    const day = `2025-04-${String(1 + (i % 28)).padStart(2, '0')}`
    const t = `${day}T${String(i % 24).padStart(2, '0')}:00:00.${String(i % 1000).padStart(3, '0')}Z`
    const orderId = `bulk-${i}`
    const items = Array.from({ length: rng.int(1, 3) }, () => {
      const p = rng.int(1, 20)
      return line(`p-${p}`, `Product ${p}`, rng.int(1, 5), p + 0.99)
    })
    const total = items.reduce((c, x) => c + Math.round(x.unitPrice.amount * 100) * x.quantity, 0)
    const data = { orderId, userId: 'u-0002', items, total: eur(total / 100) }
    facts.push({ orderId, type: 'OrderPlaced', occurredAt: t, data })
    if (rng.next() < 0.85)
      facts.push({ orderId, type: 'OrderConfirmed', occurredAt: t, data: { orderId } })
    open.push(orderId)
    if (rng.next() < 0.2) {
      const victim = rng.pick(open)
      facts.push({
        orderId: victim,
        type: 'OrderCancelled',
        occurredAt: t,
        data: { orderId: victim },
      })
    }
  }
  // events are stored in occurrence order, so asOf is the last one's time either way
  return facts.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt))
}

// fakeStore is an order event store holding the given facts, paged like the real one
function fakeStore(facts: Fact[]): Pick<Orders, 'allEvents'> & { events: StoredEvent[] } {
  const events: StoredEvent[] = facts.map((f, i) => ({ ...f, position: i + 1, seq: i + 1 }))
  return {
    events,
    allEvents: async (after, limit) => events.filter((e) => e.position > after).slice(0, limit),
  }
}

// asIntegrationEvent is what the orders topic would carry for a fact
const asIntegrationEvent = (f: Fact, i: number): IntegrationEvent => ({
  id: `evt-${f.orderId}-${i}`,
  topic: 'orders',
  type: f.type,
  occurredAt: f.occurredAt,
  source: 'orders',
  traceId: `trace-${i}`,
  data: f.data,
})

const consumer = reportingConsumers[0]!

// consumeLive applies facts through the consumer as the wiring does (with the inbox)
function consumeLive(database: Database, facts: Fact[]): void {
  const handle = inboxed(database.db, consumer.group, consumer.handler)
  facts.forEach((f, i) => {
    handle(asIntegrationEvent(f, i))
  })
}

const answers = async (r: Reporting) => ({
  all: await r.sales({}),
  march2: await r.sales({ from: '2025-03-02', to: '2025-03-02' }),
  april: await r.sales({ from: '2025-04-03', to: '2025-04-17' }),
  top: await r.topProducts(100),
})

const LAST = '2025-03-03T10:14:00.000Z'

threeWays<Reporting>(
  'Reporting',
  {
    service: async () => {
      const database = await memoryDatabase(reporting)
      const facts = history()
      consumeLive(database, facts)
      return {
        service: new ReportingService(database.db, fakeStore(facts)),
        close: database.close,
      }
    },
    routes: reportingRoutes,
    client: reportingClient,
  },
  (svc) => {
    it('counts confirmed orders, not placed-only or cancelled ones', async () => {
      const report = await svc().sales({})
      expect(report.orders).toBe(3)
      expect(report.revenue).toEqual(eur(81))
      expect(report.asOf).toBe(LAST)
    })

    it('breaks sales down by the day the order was placed', async () => {
      expect((await svc().sales({})).byDay).toEqual([
        { day: '2025-03-01', orders: 1, revenue: eur(45.5) },
        { day: '2025-03-02', orders: 1, revenue: eur(10) },
        { day: '2025-03-03', orders: 1, revenue: eur(25.5) },
      ])
    })

    it('limits sales to a range of days, both ends included', async () => {
      const report = await svc().sales({ from: '2025-03-02', to: '2025-03-03' })
      expect(report.orders).toBe(2)
      expect(report.revenue).toEqual(eur(35.5))
      expect((await svc().sales({ from: '2025-03-03' })).orders).toBe(1)
      expect((await svc().sales({ to: '2025-03-01' })).orders).toBe(1)
      expect(await svc().sales({ from: '2030-01-01' })).toEqual({
        orders: 0,
        revenue: eur(0),
        byDay: [],
        asOf: LAST,
      })
    })

    it('refuses a range that ends before it starts', async () => {
      const error = await svc()
        .sales({ from: '2025-03-03', to: '2025-03-01' })
        .catch((e: unknown) => e)
      expect(isDomainError(error) && error.kind).toBe('invalid')
    })

    it('ranks products by units sold', async () => {
      const top = await svc().topProducts(10)
      expect(top.items).toEqual([
        { productId: 'p-1', name: 'Kite', units: 3, revenue: eur(30) },
        { productId: 'p-2', name: 'Drill', units: 2, revenue: eur(51) },
      ])
      expect(top.asOf).toBe(LAST)
      expect((await svc().topProducts(1)).items.map((i) => i.productId)).toEqual(['p-1'])
    })

    it('refuses a limit outside 1..100', async () => {
      for (const limit of [0, 101, 2.5]) {
        const error = await svc()
          .topProducts(limit)
          .catch((e: unknown) => e)
        expect(isDomainError(error) && error.kind).toBe('invalid')
      }
    })

    it('rebuilds from the event store to the same answers', async () => {
      const before = await answers(svc())
      expect(await svc().rebuild()).toEqual({ replayed: history().length, asOf: LAST })
      expect(await answers(svc())).toEqual(before)
    })
  },
)

describe('ReportingService', () => {
  let live: Database
  let replayed: Database
  beforeEach(async () => {
    live = await memoryDatabase(reporting)
    replayed = await memoryDatabase(reporting)
  })
  afterEach(() => {
    live.close()
    replayed.close()
  })

  it('answers an empty read model with zeros and no asOf', async () => {
    const svc = new ReportingService(live.db, fakeStore([]))
    expect(await svc.sales({})).toEqual({ orders: 0, revenue: eur(0), byDay: [], asOf: null })
    expect(await svc.topProducts(5)).toEqual({ items: [], asOf: null })
  })

  it('gives exactly the same answers after a rebuild as after live consumption', async () => {
    const facts = bulkHistory(700)
    expect(facts.length).toBeGreaterThan(1000)
    consumeLive(live, facts)
    const store = fakeStore(facts)
    const fromLive = await answers(new ReportingService(live.db, store))
    const rebuilt = new ReportingService(replayed.db, store)
    expect(await rebuilt.rebuild()).toEqual({
      replayed: facts.length,
      asOf: facts.at(-1)!.occurredAt,
    })
    expect(await answers(rebuilt)).toEqual(fromLive)
    expect(fromLive.all.orders).toBeGreaterThan(400)
    expect(fromLive.top.items.length).toBe(20)
  })

  it('pages through the store 500 events at a time', async () => {
    const store = fakeStore(bulkHistory(700))
    const calls: [number, number][] = []
    const svc = new ReportingService(replayed.db, {
      allEvents: (after, limit) => {
        calls.push([after, limit])
        return store.allEvents(after, limit)
      },
    })
    await svc.rebuild()
    expect(calls.every(([, limit]) => limit === 500)).toBe(true)
    expect(calls.map(([after]) => after).slice(0, 3)).toEqual([0, 500, 1000])
  })

  it('throws away what the read model held before replaying', async () => {
    consumeLive(live, history())
    const svc = new ReportingService(live.db, fakeStore([]))
    expect(await svc.rebuild()).toEqual({ replayed: 0, asOf: null })
    expect(await svc.sales({})).toEqual({ orders: 0, revenue: eur(0), byDay: [], asOf: null })
    expect((await svc.topProducts(10)).items).toEqual([])
  })

  it('catches up with events appended while it replayed', async () => {
    const facts = history()
    const store = fakeStore(facts.slice(0, -2))
    let appended = false
    const svc = new ReportingService(replayed.db, {
      allEvents: async (after, limit) => {
        const page = await store.allEvents(after, limit)
        // the first time the replay reaches the end, an order is confirmed meanwhile
        if (page.length === 0 && !appended) {
          appended = true
          for (const f of facts.slice(-2)) {
            store.events.push({ ...f, position: store.events.length + 1, seq: 1 })
          }
        }
        return page
      },
    })
    expect(await svc.rebuild()).toEqual({ replayed: facts.length, asOf: LAST })
    expect((await svc.sales({})).orders).toBe(3)
  })

  it('shares one replay between concurrent rebuilds', async () => {
    let calls = 0
    const store = fakeStore(history())
    const svc = new ReportingService(replayed.db, {
      allEvents: (after, limit) => {
        calls++
        return store.allEvents(after, limit)
      },
    })
    const [a, b] = await Promise.all([svc.rebuild(), svc.rebuild()])
    expect(a).toEqual(b)
    expect(calls).toBe(3)
  })

  it('keeps the old read model when the store holds an event it cannot read', async () => {
    consumeLive(live, history())
    const broken = fakeStore([
      ...history(),
      { orderId: 'bad', type: 'OrderPlaced', occurredAt: LAST, data: { orderId: 'bad' } },
    ])
    const svc = new ReportingService(live.db, broken)
    const error = await svc.rebuild().catch((e: unknown) => e)
    expect(isDomainError(error) && error.kind).toBe('conflict')
    expect((await svc.sales({})).orders).toBe(3)
  })
})

describe('reportingConsumers', () => {
  let database: Database
  beforeEach(async () => {
    database = await memoryDatabase(reporting)
  })
  afterEach(() => database.close())

  it('subscribes the reporting group to the orders topic', () => {
    expect(reportingConsumers.map(({ topic, group }) => ({ topic, group }))).toEqual([
      { topic: 'orders', group: 'reporting' },
    ])
  })

  it('applies a redelivered event once', async () => {
    const facts = history().slice(0, 2)
    consumeLive(database, facts)
    consumeLive(database, facts)
    const svc = new ReportingService(database.db, fakeStore([]))
    expect((await svc.sales({})).orders).toBe(1)
  })

  it('leaves the read model unchanged when the same facts arrive again under new ids', async () => {
    const facts = history()
    consumeLive(database, facts)
    const svc = new ReportingService(database.db, fakeStore([]))
    const before = await answers(svc)
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    facts.forEach((f, i) => {
      handle({ ...asIntegrationEvent(f, i), id: `again-${i}` })
    })
    expect(await answers(svc)).toEqual(before)
  })

  it('advances asOf on events it does not count, and never moves it back', async () => {
    const svc = new ReportingService(database.db, fakeStore([]))
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    const shipped = { orderId: 'x', type: 'OrderShipped', data: { orderId: 'x' } }
    handle(asIntegrationEvent({ ...shipped, occurredAt: '2025-05-02T00:00:00.000Z' }, 1))
    handle(asIntegrationEvent({ ...shipped, occurredAt: '2025-05-01T00:00:00.000Z' }, 2))
    expect((await svc.sales({})).asOf).toBe('2025-05-02T00:00:00.000Z')
  })

  it('rejects a malformed order event without a half effect', async () => {
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    const bad = asIntegrationEvent(
      { orderId: 'b', type: 'OrderPlaced', occurredAt: LAST, data: { orderId: 'b' } },
      1,
    )
    expect(() => handle(bad)).toThrow()
    const svc = new ReportingService(database.db, fakeStore([]))
    expect((await svc.sales({})).asOf).toBeNull()
  })
})

describe('reportingRoutes', () => {
  let database: Database
  let app: ReturnType<typeof testApp>
  let admin: string
  let customer: string
  beforeEach(async () => {
    database = await memoryDatabase(reporting)
    consumeLive(database, history())
    app = testApp(reportingRoutes(new ReportingService(database.db, fakeStore(history()))))
    admin = await testTokens.issue({ id: 'u-admin', email: 'admin@twinstack.dev', role: 'admin' })
    customer = await testTokens.issue({
      id: 'u-0001',
      email: 'demo1@twinstack.dev',
      role: 'customer',
    })
  })
  afterEach(() => database.close())

  const as = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } })
  const publicCalls: [string, string][] = [
    ['GET', '/api/reports/sales'],
    ['GET', '/api/reports/top-products'],
    ['POST', '/api/reports/rebuild'],
  ]

  it('GET /api/reports/sales answers an admin', async () => {
    const res = await app.request('/api/reports/sales?from=2025-03-01&to=2025-03-02', as(admin))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ orders: 2, revenue: eur(55.5), asOf: LAST })
  })

  it('GET /api/reports/top-products answers an admin, ten items by default', async () => {
    const res = await app.request('/api/reports/top-products', as(admin))
    expect(res.status).toBe(200)
    const body = (await res.json()) as { items: { productId: string }[]; asOf: string }
    expect(body.items.map((i) => i.productId)).toEqual(['p-1', 'p-2'])
    const one = await app.request('/api/reports/top-products?limit=1', as(admin))
    expect(((await one.json()) as { items: unknown[] }).items).toHaveLength(1)
  })

  it('POST /api/reports/rebuild replays the store and answers 200 {replayed, asOf}', async () => {
    const res = await app.request('/api/reports/rebuild', { method: 'POST', ...as(admin) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ replayed: history().length, asOf: LAST })
  })

  it('refuses customers with 403 and anonymous callers with 401', async () => {
    for (const [method, path] of publicCalls) {
      await expectProblem(await app.request(path, { method, ...as(customer) }), 403)
      await expectProblem(await app.request(path, { method }), 401)
    }
  })

  it('GET /api/reports/sales refuses anything but ISO dates with 400', async () => {
    for (const q of [
      'from=yesterday',
      'from=2025-13-01',
      'to=2025-02-30',
      'from=2025-03-01T00:00:00Z',
      'to=20250301',
      `from=${'9'.repeat(5000)}`,
      'from=2025-03-03&to=2025-03-01',
    ]) {
      await expectProblem(await app.request(`/api/reports/sales?${q}`, as(admin)), 400)
    }
  })

  it('GET /api/reports/top-products refuses a limit outside 1..100 with 400', async () => {
    for (const limit of ['0', '101', '-5', 'ten', '2.5', '1e400', '']) {
      await expectProblem(
        await app.request(`/api/reports/top-products?limit=${limit}`, as(admin)),
        400,
      )
    }
  })

  it('internal routes refuse bad queries with 400 too', async () => {
    await expectProblem(await app.request('/internal/reporting/sales?from=nope'), 400)
    await expectProblem(await app.request('/internal/reporting/top-products?limit=1000'), 400)
  })

  it('POST /api/reports/rebuild ignores a body, even a malformed one', async () => {
    const res = await app.request('/api/reports/rebuild', {
      method: 'POST',
      headers: { ...as(admin).headers, 'Content-Type': 'application/json' },
      body: '{not json',
    })
    expect(res.status).toBe(200)
  })
})

describe('reportingConsumers in any arrival order', () => {
  // shuffled is a deterministic Fisher–Yates shuffle of the facts, some delivered twice
  const shuffled = (facts: Fact[], rng: Rng) => {
    const out = facts.map((f, i) => ({ f, i }))
    for (const x of facts.map((f, i) => ({ f, i }))) if (rng.next() < 0.1) out.push(x)
    for (let k = out.length - 1; k > 0; k--) {
      const j = rng.int(0, k)
      ;[out[k], out[j]] = [out[j]!, out[k]!]
    }
    return out
  }

  it('counts every confirmed order once whatever order its events arrive in', async () => {
    const facts = bulkHistory(40)
    const inOrder = await memoryDatabase(reporting)
    consumeLive(inOrder, facts)
    const expected = await answers(new ReportingService(inOrder.db, fakeStore([])))
    inOrder.close()
    expect(expected.all.orders).toBeGreaterThan(20)
    const rng = new Rng(2026)
    // one database, emptied between rounds: migrating a fresh one per round is what costs
    const database = await memoryDatabase(reporting)
    const svc = new ReportingService(database.db, fakeStore([]))
    for (let round = 0; round < 30; round++) {
      write(database.db, (tx) => {
        clearReadModel(tx)
        tx.delete(inbox).run()
      })
      const handle = inboxed(database.db, consumer.group, consumer.handler)
      for (const { f, i } of shuffled(facts, rng)) handle(asIntegrationEvent(f, i))
      expect({ round, ...(await answers(svc)) }).toEqual({ round, ...expected })
    }
    database.close()
  }, 60_000)

  it('counts an order whose OrderConfirmed came before its OrderPlaced', async () => {
    const database = await memoryDatabase(reporting)
    const [placed, confirmed] = history()
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    handle(asIntegrationEvent(confirmed!, 1))
    const svc = new ReportingService(database.db, fakeStore([]))
    expect((await svc.sales({})).orders).toBe(0)
    handle(asIntegrationEvent(placed!, 0))
    expect(await svc.sales({})).toMatchObject({ orders: 1, revenue: eur(45.5) })
    database.close()
  })

  it('never counts an order whose cancellation came first', async () => {
    const database = await memoryDatabase(reporting)
    const o5 = history().filter((f) => f.orderId === 'o5')
    const [placed, cancelled, confirmed] = o5
    consumeLive(database, [cancelled!, confirmed!, placed!])
    expect((await new ReportingService(database.db, fakeStore([])).sales({})).orders).toBe(0)
    database.close()
  })
})
