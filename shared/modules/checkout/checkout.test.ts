import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { Hono } from 'hono'
import type { Catalog } from '../../contracts/catalog.ts'
import type { Checkout, CheckoutInput, CheckoutResult } from '../../contracts/checkout.ts'
import type { Inventory } from '../../contracts/inventory.ts'
import type { Orders } from '../../contracts/orders.ts'
import type { Payments } from '../../contracts/payments.ts'
import type { Pricing } from '../../contracts/pricing.ts'
import type { Shipping } from '../../contracts/shipping.ts'
import { conflict, DomainError, notFound, refused, unavailable } from '../../domain/errors.ts'
import { sqliteOutbox, unsent } from '../../platform/bus/outbox.ts'
import type { Database } from '../../platform/db/index.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { memoryDatabase, testApp, testTokens, threeWays } from '../../testing/harness.ts'
import { expectProblem, kindOf } from '../../testing/http.ts'
import { eventually } from '../../testing/wait.ts'
import { CatalogService, catalog } from '../catalog/index.ts'
import { InventoryService, inventory } from '../inventory/index.ts'
import { OrdersService, orders } from '../orders/index.ts'
import { PaymentsService, payments } from '../payments/index.ts'
import { PricingService, pricing } from '../pricing/index.ts'
import { ShippingService } from '../shipping/index.ts'
import {
  type CheckoutOptions,
  CheckoutService,
  checkout,
  checkoutClient,
  checkoutRoutes,
  orderIdFor,
} from './index.ts'

const OK = { number: '4242424242424242', expiry: '12/39', cvc: '123' }
const DECLINED = { number: '4000000000000002', expiry: '12/39', cvc: '123' }
const eur = (amount: number) => ({ amount, currency: 'EUR' })
const ada = { id: 'u-ada', email: 'ada@example.test' }
const basket = (card = OK): CheckoutInput => ({
  items: [
    { productId: 'p-1', quantity: 2 },
    { productId: 'p-2', quantity: 1 },
    { productId: 'p-1', quantity: 1 },
  ],
  card,
})

type Step =
  | 'products'
  | 'prices'
  | 'reserve'
  | 'authorize'
  | 'quote'
  | 'place'
  | 'capture'
  | 'append'
  | 'commit'
  | 'release'
  | 'void'
  | 'cancel'
  | 'restock'
  | 'refund'

// World is a set of recording fakes for every neighbour of checkout; fail makes a step throw
class World {
  calls: string[] = []
  fail: Partial<Record<Step, Error>> = {}
  logs: string[] = []
  gate: Promise<void> | null = null
  private n = 0

  private async step(name: Step, detail = ''): Promise<void> {
    this.calls.push(detail ? `${name} ${detail}` : name)
    if (name === 'reserve' && this.gate) await this.gate
    // yield once, so steps that overlap in time show it in the call order
    await Promise.resolve()
    this.calls.push(`${name} done`)
    const error = this.fail[name]
    if (error) throw error
  }

  started = (step: Step) =>
    this.calls.filter((c) => c === step || (c.startsWith(`${step} `) && !c.endsWith(' done')))

  catalog: Catalog = {
    product: async () => null,
    products: async (ids) => {
      await this.step('products')
      return ids
        .filter((id) => id.startsWith('p-'))
        .map((id) => ({
          id,
          name: `Product ${id}`,
          description: '',
          category: 'toys',
        }))
    },
    search: async () => ({ items: [], total: 0 }),
  }
  pricing: Pricing = {
    price: async () => null,
    prices: async (ids) => {
      await this.step('prices')
      return ids.map((productId) => ({
        productId,
        price: productId === 'p-2' ? eur(0.99) : eur(10.5),
      }))
    },
  }
  // what the fakes remember by reference, so repeats and lookups answer like the real ones
  payStatus = new Map<string, 'authorized' | 'captured' | 'voided' | 'refunded'>()
  orderStatus = new Map<string, 'confirmed' | 'paid' | 'cancelled'>()
  inventory: Inventory = {
    stock: async () => null,
    reserve: async (input) => {
      await this.step('reserve', JSON.stringify(input.items))
      return { id: 'res-1', reference: input.reference, status: 'held' }
    },
    release: async (reference) => {
      await this.step('release')
      return { id: 'res-1', reference, status: 'released' }
    },
    commit: async (reference) => {
      await this.step('commit')
      return { id: 'res-1', reference, status: 'committed' }
    },
    restock: async (reference) => {
      await this.step('restock')
      return { id: 'res-1', reference, status: 'returned' }
    },
    reserved: async () => 0,
  }
  payments: Payments = {
    authorize: async (input) => {
      await this.step('authorize', JSON.stringify(input.amount))
      this.payStatus.set(input.reference, 'authorized')
      return {
        id: 'pay-1',
        reference: input.reference,
        orderId: null,
        amount: input.amount,
        status: 'authorized',
      }
    },
    capture: async (reference, orderId) => {
      await this.step('capture')
      this.payStatus.set(reference, 'captured')
      return { id: 'pay-1', reference, orderId, amount: eur(32.49), status: 'captured' }
    },
    void: async (reference) => {
      await this.step('void')
      if (this.payStatus.get(reference) === 'captured') throw conflict('captured')
      this.payStatus.set(reference, 'voided')
      return { id: 'pay-1', reference, orderId: null, amount: eur(1), status: 'voided' }
    },
    refund: async (reference) => {
      await this.step('refund')
      this.payStatus.set(reference, 'refunded')
      return { id: 'pay-1', reference, orderId: reference, amount: eur(1), status: 'refunded' }
    },
    payment: async (reference) => {
      const status = this.payStatus.get(reference)
      return status
        ? { id: 'pay-1', reference, orderId: reference, amount: eur(32.49), status }
        : null
    },
  }
  shipping: Shipping = {
    quote: async () => {
      await this.step('quote')
      return { id: 'q-1', carrier: 'DHL Parcel', price: eur(9.95), etaDays: 2 }
    },
  }
  orders: Orders = {
    place: async (input) => {
      this.n++
      await this.step('place', input.orderId)
      this.orderStatus.set(input.orderId, 'confirmed')
      return (await this.orders.order(input.orderId))!
    },
    append: async (id, version, events) => {
      await this.step('append', `${version} ${events.map((e) => e.type).join(',')}`)
      this.orderStatus.set(id, 'paid')
      return (await this.orders.order(id))!
    },
    cancel: async (id) => {
      await this.step('cancel', id)
      this.orderStatus.set(id, 'cancelled')
      return (await this.orders.order(id))!
    },
    order: async (id) => {
      const status = this.orderStatus.get(id)
      if (!status) return null
      return {
        id,
        userId: ada.id,
        status,
        items: [],
        total: eur(0),
        version: status === 'confirmed' ? 2 : 3,
        createdAt: '',
      }
    },
    events: async () => [],
    ship: async () => {
      throw new Error('not used')
    },
    ordersOf: async () => [],
    allEvents: async () => [],
  }

  placed = () => this.n

  service(db: Database['db'], opts: CheckoutOptions = {}): CheckoutService {
    return new CheckoutService(
      db,
      {
        catalog: this.catalog,
        pricing: this.pricing,
        inventory: this.inventory,
        payments: this.payments,
        shipping: this.shipping,
        orders: this.orders,
      },
      { log: (m) => this.logs.push(m), ...opts },
    )
  }
}

describe('Checkout', () => {
  let d: Database
  let world: World
  let svc: CheckoutService
  beforeAll(async () => {
    d = await memoryDatabase(checkout)
  })
  afterAll(() => d.close())
  const fresh = () => {
    world = new World()
    svc = world.service(d.db)
  }

  it('runs stock, payment and shipping in parallel, then places, captures and commits', async () => {
    fresh()
    const result = await svc.checkout(ada, basket())
    expect(result).toEqual({
      orderId: expect.any(String),
      status: 'confirmed',
      total: eur(32.49),
      steps: {
        inventory: { reservationId: 'res-1', status: 'committed' },
        payment: { paymentId: 'pay-1', status: 'captured' },
        shipping: { quoteId: 'q-1', carrier: 'DHL Parcel', price: eur(9.95), etaDays: 2 },
      },
    })
    // all three branches start before any of them finishes
    const firstDone = world.calls.findIndex((c) => /^(reserve|authorize|quote) done$/.test(c))
    for (const branch of ['reserve', 'authorize', 'quote'] as const) {
      const start = world.calls.indexOf(world.started(branch)[0]!)
      expect(start).toBeGreaterThanOrEqual(0)
      expect(start).toBeLessThan(firstDone)
    }
    expect(world.started('place')).toEqual([`place ${result.orderId}`])
    expect(world.started('capture')).toEqual(['capture'])
    expect(world.started('append')).toEqual(['append 2 PaymentCaptured'])
    expect(world.started('commit')).toEqual(['commit'])
    expect(world.started('release')).toEqual([])
    expect(world.started('void')).toEqual([])
    expect(await svc.sagas()).toMatchObject({ inFlight: 0, reservedUnits: 0 })
  })

  it('merges repeated products and charges the items total (shipping is quoted, not charged)', async () => {
    fresh()
    await svc.checkout(ada, basket())
    expect(world.started('reserve')).toEqual([
      `reserve ${JSON.stringify([
        { productId: 'p-1', quantity: 3 },
        { productId: 'p-2', quantity: 1 },
      ])}`,
    ])
    expect(world.started('authorize')).toEqual([`authorize ${JSON.stringify(eur(32.49))}`])
  })

  it('refuses a declined card (422), voiding first, releasing the stock, placing no order', async () => {
    fresh()
    world.fail.authorize = refused('card declined')
    expect(await kindOf(svc.checkout(ada, basket(DECLINED)))).toBe('rule')
    // the void comes first and always: it is what decides against a capture that may land
    expect(world.started('void')).toEqual(['void'])
    expect(world.started('release')).toEqual(['release'])
    expect(world.calls.indexOf('void')).toBeLessThan(world.calls.indexOf('release'))
    expect(world.started('place')).toEqual([])
    expect(world.started('capture')).toEqual([])
  })

  it('refuses an empty shelf (409), voiding the authorisation and placing no order', async () => {
    fresh()
    world.fail.reserve = conflict('not enough stock of p-1')
    expect(await kindOf(svc.checkout(ada, basket()))).toBe('conflict')
    expect(world.started('void')).toEqual(['void'])
    expect(world.started('place')).toEqual([])
  })

  it('answers 503 when shipping is unavailable, compensating stock and payment', async () => {
    fresh()
    world.fail.quote = unavailable('shipping is unavailable (circuit open)')
    const error = await svc.checkout(ada, basket()).catch((e) => e)
    expect(error).toBeInstanceOf(DomainError)
    expect(error.kind).toBe('unavailable')
    expect(world.started('release')).toEqual(['release'])
    expect(world.started('void')).toEqual(['void'])
    expect(world.started('place')).toEqual([])
  })

  it('tells about the empty shelf before the declined card when both fail', async () => {
    fresh()
    world.fail.reserve = conflict('not enough stock')
    world.fail.authorize = refused('card declined')
    world.fail.quote = unavailable('down')
    expect(await kindOf(svc.checkout(ada, basket()))).toBe('conflict')
  })

  it('still compensates a dependency that throws synchronously', async () => {
    fresh()
    world.shipping.quote = () => {
      throw unavailable('shipping exploded')
    }
    expect(await kindOf(svc.checkout(ada, basket()))).toBe('unavailable')
    expect(world.started('release')).toEqual(['release'])
    expect(world.started('void')).toEqual(['void'])
  })

  it('keeps the cause when a compensation fails, and leaves the saga to recovery', async () => {
    fresh()
    world.fail.authorize = refused('card declined')
    world.fail.release = unavailable('inventory is down')
    expect(await kindOf(svc.checkout(ada, basket()))).toBe('rule')
    expect(world.logs.some((l) => l.includes('could not release stock'))).toBe(true)
    expect((await svc.sagas()).inFlight).toBe(1)
    delete world.fail.release
    expect(await svc.recover()).toBe(1)
    expect(await svc.sagas()).toMatchObject({ inFlight: 0 })
    expect(world.started('release')).toEqual(['release', 'release'])
  })

  it('retries sagas a dependency outage left behind once per interval, not once per request', async () => {
    world = new World()
    const deps = {
      catalog: world.catalog,
      pricing: world.pricing,
      inventory: world.inventory,
      payments: world.payments,
      shipping: world.shipping,
      orders: world.orders,
    }
    // a database of its own: the sagas this outage leaves behind are no other test's business
    const own = await memoryDatabase(checkout)
    const slow = new CheckoutService(own.db, deps, {
      log: (m) => world.logs.push(m),
      recoverEveryMs: 60_000,
    })
    world.fail.authorize = unavailable('payments is down')
    world.fail.void = unavailable('payments is down')
    const stop = slow.start()
    const failing = 20
    for (let i = 0; i < failing; i++) {
      expect(await kindOf(slow.checkout(ada, basket()))).toBe('unavailable')
      // let a round the failure asked for run before the next request
      await new Promise((resolve) => setImmediate(resolve))
    }
    await stop()
    own.close()
    // each live attempt tries its void once; a round per request would retry every saga left
    // so far (about failing² / 2 voids in all)
    expect(world.started('void').length).toBeLessThanOrEqual(2 * failing)
    expect(world.started('void').length).toBeGreaterThanOrEqual(failing)
  })

  it('starts nothing while a neighbour it needs refuses calls, yet replays a finished key', async () => {
    world = new World()
    const own = await memoryDatabase(checkout)
    let paymentsDown = false
    const guarded = world.service(own.db, {
      reachable: (need) => !(paymentsDown && need === 'payments'),
    })
    const done = await guarded.checkout(ada, basket(), 'key-before')
    const callsBefore = world.calls.length
    paymentsDown = true
    const refused = await guarded.checkout(ada, basket(), 'key-during').catch((e) => e)
    expect(refused).toMatchObject({ kind: 'unavailable', dependency: 'payments' })
    // nothing was priced, held, authorised or logged
    expect(world.calls.length).toBe(callsBefore)
    expect(await guarded.sagas()).toMatchObject({ inFlight: 0, reservedUnits: 0 })
    // a key that already finished still answers its outcome
    expect(await guarded.checkout(ada, basket(), 'key-before')).toEqual(done)
    // once the link would try again, the same key starts its attempt
    paymentsDown = false
    expect(await guarded.checkout(ada, basket(), 'key-during')).toMatchObject({
      status: 'confirmed',
    })
    own.close()
  })

  it('asks each neighbour once per checkout (asking for a due trial grants it)', async () => {
    world = new World()
    const own = await memoryDatabase(checkout)
    // payments' link is due for its trial: the first ask is granted, every later one refused
    let asks = 0
    const once = world.service(own.db, {
      reachable: (need) => need !== 'payments' || asks++ === 0,
    })
    expect(await once.checkout(ada, basket(), 'trial-key')).toMatchObject({ status: 'confirmed' })
    expect(asks).toBe(1)
    own.close()
  })

  it('answers 404 for an unknown product before any branch runs', async () => {
    fresh()
    const input = { ...basket(), items: [{ productId: 'nope-1', quantity: 1 }] }
    expect(await kindOf(svc.checkout(ada, input))).toBe('not-found')
    expect(world.started('reserve')).toEqual([])
    expect(world.started('authorize')).toEqual([])
  })

  it('answers 503 when pricing is unavailable, with nothing to compensate', async () => {
    fresh()
    world.fail.prices = unavailable('pricing is down')
    expect(await kindOf(svc.checkout(ada, basket()))).toBe('unavailable')
    expect(world.started('reserve')).toEqual([])
    expect(world.started('void')).toEqual([])
  })

  it('compensates everything when placing the order fails', async () => {
    fresh()
    world.fail.place = unavailable('orders is down')
    expect(await kindOf(svc.checkout(ada, basket()))).toBe('unavailable')
    expect(world.started('release')).toEqual(['release'])
    expect(world.started('void')).toEqual(['void'])
    expect(world.started('capture')).toEqual([])
  })

  it('cancels the order and compensates when the capture fails', async () => {
    fresh()
    world.fail.capture = unavailable('payments is down')
    world.payments.capture = async () => {
      throw unavailable('payments is down')
    }
    expect(await kindOf(svc.checkout(ada, basket()))).toBe('unavailable')
    expect(world.started('cancel')).toHaveLength(1)
    expect(world.started('release')).toEqual(['release'])
    expect(world.started('void')).toEqual(['void'])
    expect(world.started('append')).toEqual([])
  })

  it('finishes the sale when the capture landed but its answer was lost', async () => {
    fresh()
    const capture = world.payments.capture
    world.payments.capture = async (reference, orderId) => {
      await capture(reference, orderId)
      throw unavailable('payments did not answer within 2000 ms')
    }
    const result = await svc.checkout(ada, basket())
    expect(result.status).toBe('confirmed')
    // the void was refused (captured), so nothing was undone and the sale was finished
    expect(world.started('void')).toEqual(['void'])
    expect(world.started('release')).toEqual([])
    expect(world.started('cancel')).toEqual([])
    expect(world.started('commit')).toEqual(['commit'])
    expect(world.orderStatus.get(result.orderId)).toBe('paid')
  })

  it('keeps a captured sale when recording or committing fails, and recovery finishes it', async () => {
    fresh()
    world.fail.append = unavailable('orders is down')
    world.fail.commit = unavailable('inventory is down')
    const result = await svc.checkout(ada, basket())
    expect(result.steps.inventory).toEqual({ reservationId: null, status: 'held' })
    expect(result.steps.payment).toEqual({ paymentId: 'pay-1', status: 'captured' })
    expect(
      world.logs.filter((l) => l.includes('not recorded') || l.includes('not committed')),
    ).toHaveLength(2)
    expect(world.started('release')).toEqual([])
    expect(world.started('void')).toEqual([])
    expect((await svc.sagas()).states).toMatchObject({ captured: 1 })
    world.fail = {}
    expect(await svc.recover()).toBe(1)
    expect((await svc.sagas()).states.captured).toBeUndefined()
    expect(world.started('commit')).toEqual(['commit', 'commit'])
    expect(world.started('append').at(-1)).toBe('append 2 PaymentCaptured')
  })

  it('returns the first result for a repeated Idempotency-Key, placing one order', async () => {
    fresh()
    const first = await svc.checkout(ada, basket(), 'key-1')
    expect(first.orderId).toBe(orderIdFor(ada.id, 'key-1'))
    const second = await svc.checkout(ada, basket(), 'key-1')
    expect(second).toEqual(first)
    expect(world.placed()).toBe(1)
    expect(world.started('authorize')).toHaveLength(1)
    const other = await svc.checkout(ada, basket(), 'key-2')
    expect(other.orderId).not.toBe(first.orderId)
    const someoneElse = await svc.checkout({ id: 'u-bob', email: 'b@x.test' }, basket(), 'key-1')
    expect(someoneElse.orderId).not.toBe(first.orderId)
    expect(world.placed()).toBe(3)
  })

  it('refuses the same key with a different body (422), whatever became of the first', async () => {
    fresh()
    await svc.checkout(ada, basket(), 'key-body')
    const other = { ...basket(), items: [{ productId: 'p-2', quantity: 5 }] }
    const error = await svc.checkout(ada, other, 'key-body').catch((e) => e)
    expect(error).toBeInstanceOf(DomainError)
    expect(error.kind).toBe('rule')
    expect(error.extra.reason).toBe('idempotency-key-reused')
    // the same basket written differently is the same request
    const reordered = { ...basket(), items: [...basket().items].reverse() }
    expect((await svc.checkout(ada, reordered, 'key-body')).status).toBe('confirmed')
    expect(world.placed()).toBe(1)
  })

  it('runs a failed checkout’s key again as a new attempt with a new order id', async () => {
    fresh()
    world.fail.authorize = refused('card declined')
    expect(await kindOf(svc.checkout(ada, basket(), 'key-retry'))).toBe('rule')
    delete world.fail.authorize
    const retried = await svc.checkout(ada, basket(), 'key-retry')
    expect(retried.status).toBe('confirmed')
    expect(retried.orderId).toBe(orderIdFor(ada.id, 'key-retry', 2))
    expect(world.placed()).toBe(1)
  })

  it('refuses a repeat while the first checkout with that key still runs (409)', async () => {
    fresh()
    let open = () => {}
    world.gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const first = svc.checkout(ada, basket(), 'key-busy')
    const busy = await svc.checkout(ada, basket(), 'key-busy').catch((e) => e)
    expect(busy.kind).toBe('conflict')
    expect(busy.extra.retryAfterS).toBeGreaterThanOrEqual(1)
    open()
    const result = await first
    expect(await svc.checkout(ada, basket(), 'key-busy')).toEqual(result)
    expect(world.placed()).toBe(1)
  })
})

// Real neighbours: catalog, pricing, inventory, payments, shipping and orders in one database
async function shop() {
  const d = await memoryDatabase(catalog, pricing, inventory, payments, orders, checkout)
  const people = { user: async () => null }
  const stock = new InventoryService(d.db)
  const ordersSvc = new OrdersService(d.db, sqliteOutbox('orders'), people)
  const svc = new CheckoutService(d.db, {
    catalog: new CatalogService(d.db),
    pricing: new PricingService(d.db),
    inventory: stock,
    payments: new PaymentsService(d.db, sqliteOutbox('payments')),
    shipping: new ShippingService(),
    orders: ordersSvc,
  })
  return { d, svc, stock, orders: ordersSvc }
}

let world: Awaited<ReturnType<typeof shop>> | undefined
const available = async (productId: string) => (await world!.stock.stock(productId))!.available

threeWays<Checkout>(
  'Checkout end to end',
  {
    service: async () => {
      world = await shop()
      return { service: world.svc, close: world.d.close }
    },
    routes: checkoutRoutes,
    client: checkoutClient,
  },
  (svc) => {
    it('sells a basket: stock taken, payment captured, order paid with its events', async () => {
      const before = await available('p-0003')
      const result = await svc().checkout(ada, {
        items: [{ productId: 'p-0003', quantity: 2 }],
        card: OK,
      })
      expect(result).toMatchObject({
        status: 'confirmed',
        total: { currency: 'EUR' },
        steps: {
          inventory: { status: 'committed' },
          payment: { status: 'captured' },
          shipping: { carrier: 'PostNord Letter', price: eur(4.95), etaDays: 3 },
        },
      })
      expect(await available('p-0003')).toBe(before - 2)
      const order = await world!.orders.order(result.orderId)
      expect(order).toMatchObject({
        status: 'paid',
        version: 3,
        userId: ada.id,
        total: result.total,
      })
      expect(order!.items[0]).toMatchObject({ productId: 'p-0003', quantity: 2 })
      expect((await world!.orders.events(result.orderId)).map((e) => e.type)).toEqual([
        'OrderPlaced',
        'OrderConfirmed',
        'PaymentCaptured',
      ])
      const published = unsent(world!.d.db, 1000).filter(
        (e) => (e.data as { orderId?: string }).orderId === result.orderId,
      )
      expect(published.map((e) => `${e.topic}/${e.type}`).sort()).toEqual([
        'orders/OrderConfirmed',
        'orders/OrderPlaced',
        'orders/PaymentCaptured',
        'payments/PaymentCaptured',
      ])
    })

    it('refuses a declined card with 422 and puts the stock back', async () => {
      const before = await available('p-0005')
      const input = { items: [{ productId: 'p-0005', quantity: 1 }], card: DECLINED }
      expect(await kindOf(svc().checkout(ada, input))).toBe('rule')
      expect(await available('p-0005')).toBe(before)
    })

    it('refuses an empty shelf with 409 and captures nothing', async () => {
      const captures = () => unsent(world!.d.db, 1000).filter((e) => e.topic === 'payments').length
      const before = captures()
      const input = { items: [{ productId: 'p-0050', quantity: 1 }], card: OK }
      expect(await kindOf(svc().checkout(ada, input))).toBe('conflict')
      expect(captures()).toBe(before)
    })

    it('answers 404 for an unknown product', async () => {
      const input = { items: [{ productId: 'nope-1', quantity: 1 }], card: OK }
      expect(await kindOf(svc().checkout(ada, input))).toBe('not-found')
    })

    it('returns the first result for a repeated key, taking the stock once', async () => {
      const before = await available('p-0004')
      const input = { items: [{ productId: 'p-0004', quantity: 1 }], card: OK }
      const first = await svc().checkout(ada, input, 'e2e-key')
      const second = await svc().checkout(ada, input, 'e2e-key')
      expect(second).toEqual(first)
      expect(await available('p-0004')).toBe(before - 1)
    })
  },
)

describe('Checkout routes', () => {
  let d: Database
  let app: Hono<AppEnv>
  let token = ''
  let w: World
  const post = (body: string, headers: Record<string, string> = {}) =>
    app.request('/api/checkout', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
      body,
    })
  const good = JSON.stringify({ items: [{ productId: 'p-1', quantity: 1 }], card: OK })

  beforeAll(async () => {
    d = await memoryDatabase(checkout)
    w = new World()
    app = testApp(checkoutRoutes(w.service(d.db)))
    token = await testTokens.issue({ id: ada.id, email: ada.email, role: 'customer' })
  })
  afterAll(() => d.close())

  it('checks out with 201 for the token’s user', async () => {
    const res = await post(good)
    expect(res.status).toBe(201)
    const body = (await res.json()) as CheckoutResult
    expect(body).toMatchObject({ status: 'confirmed', total: eur(10.5) })
    expect(Object.keys(body.steps).sort()).toEqual(['inventory', 'payment', 'shipping'])
  })

  it('answers a repeated Idempotency-Key with the first 201 body', async () => {
    const a = await post(good, { 'Idempotency-Key': 'route-key' })
    const b = await post(good, { 'Idempotency-Key': 'route-key' })
    expect([a.status, b.status]).toEqual([201, 201])
    expect(await b.json()).toEqual(await a.json())
  })

  it('answers a key still running with 409 and Retry-After, a reused key with 422', async () => {
    let open = () => {}
    w.gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const reserves = w.started('reserve').length
    const first = post(good, { 'Idempotency-Key': 'route-busy' })
    // the first request holds the key once it reached the (gated) branch
    await eventually(async () => expect(w.started('reserve').length).toBe(reserves + 1))
    const busy = await post(good, { 'Idempotency-Key': 'route-busy' })
    await expectProblem(busy, 409)
    expect(Number(busy.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1)
    open()
    w.gate = null
    expect((await first).status).toBe(201)
    const other = JSON.stringify({ items: [{ productId: 'p-2', quantity: 1 }], card: OK })
    const reused = await expectProblem(await post(other, { 'Idempotency-Key': 'route-busy' }), 422)
    expect(reused.reason).toBe('idempotency-key-reused')
  })

  it('refuses anonymous checkouts with 401', async () => {
    const res = await app.request('/api/checkout', { method: 'POST', body: good })
    await expectProblem(res, 401)
  })

  it('answers bad bodies and headers with 400 problems', async () => {
    await expectProblem(await post('{"items": ['), 400)
    await expectProblem(await post('{}'), 400)
    await expectProblem(await post(JSON.stringify({ items: 'many', card: OK })), 400)
    await expectProblem(await post(JSON.stringify({ items: [], card: OK })), 400)
    await expectProblem(
      await post(JSON.stringify({ items: [{ productId: 'p-1', quantity: 1 }] })),
      400,
    )
    await expectProblem(
      await post(JSON.stringify({ items: [{ productId: 'p-1', quantity: 1e12 }], card: OK })),
      400,
    )
    await expectProblem(
      await post(JSON.stringify({ items: [{ productId: 'p-1', quantity: 1.5 }], card: OK })),
      400,
    )
    await expectProblem(
      await post(
        JSON.stringify({ items: [{ productId: 'p-1', quantity: 1 }], card: { number: 'x' } }),
      ),
      400,
    )
    await expectProblem(
      await post(JSON.stringify({ items: [{ productId: 'x'.repeat(65), quantity: 1 }], card: OK })),
      400,
    )
    const many = Array.from({ length: 51 }, (_, i) => ({ productId: `p-${i}`, quantity: 1 }))
    await expectProblem(await post(JSON.stringify({ items: many, card: OK })), 400)
    await expectProblem(await post(good, { 'Idempotency-Key': 'k'.repeat(201) }), 400)
    expect((await post(good, { 'Idempotency-Key': 'k'.repeat(200) })).status).toBe(201)
  })

  it('answers an unknown product with 404', async () => {
    await expectProblem(
      await post(JSON.stringify({ items: [{ productId: 'nope-1', quantity: 1 }], card: OK })),
      404,
    )
  })

  it('maps a declined card to 422, an empty shelf to 409, a dependency down to 503', async () => {
    w.fail = { authorize: refused('card declined') }
    await expectProblem(await post(good), 422)
    w.fail = { reserve: conflict('not enough stock of p-1') }
    await expectProblem(await post(good), 409)
    w.fail = { quote: unavailable('shipping is unavailable') }
    const res = await post(good)
    await expectProblem(res, 503)
    expect(res.headers.get('Retry-After')).toBeTruthy()
    w.fail = { prices: notFound('price of product p-1') }
    await expectProblem(await post(good), 404)
    w.fail = {}
  })

  it('answers bad internal bodies with 400 problems', async () => {
    const internal = (body: string) =>
      app.request('/internal/checkout/checkouts', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      })
    await expectProblem(await internal('{'), 400)
    await expectProblem(await internal('{}'), 400)
    await expectProblem(await internal(JSON.stringify({ user: ada, input: { items: [] } })), 400)
    await expectProblem(
      await internal(
        JSON.stringify({ user: ada, input: JSON.parse(good), idempotencyKey: 'k'.repeat(201) }),
      ),
      400,
    )
    const res = await internal(JSON.stringify({ user: ada, input: JSON.parse(good) }))
    expect(res.status).toBe(201)
  })
})
