import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import type { CheckoutInput } from '../../contracts/checkout.ts'
import type { Inventory } from '../../contracts/inventory.ts'
import type { Payments } from '../../contracts/payments.ts'
import { DomainError, unavailable } from '../../domain/errors.ts'
import { sqliteOutbox } from '../../platform/bus/outbox.ts'
import type { Database, Db } from '../../platform/db/index.ts'
import { appFetch, memoryDatabase, testApp } from '../../testing/harness.ts'
import { CatalogService, catalog, catalogClient, catalogRoutes } from '../catalog/index.ts'
import {
  InventoryService,
  inventory,
  inventoryClient,
  inventoryRoutes,
} from '../inventory/index.ts'
import { reservations, stock } from '../inventory/schema.ts'
import { OrdersService, orders } from '../orders/index.ts'
import { PaymentsService, payments, paymentsClient, paymentsRoutes } from '../payments/index.ts'
import { PricingService, pricing, pricingClient, pricingRoutes } from '../pricing/index.ts'
import { ShippingService, shippingClient, shippingRoutes } from '../shipping/index.ts'
import {
  type CheckoutDeps,
  CheckoutService,
  checkout,
  orderIdFor,
  SagaCrash,
  type SagaPoint,
} from './index.ts'
import { sagas } from './schema.ts'

const OK = { number: '4242424242424242', expiry: '12/39', cvc: '123' }
const DECLINED = { number: '4000000000000002', expiry: '12/39', cvc: '123' }
const ada = { id: 'u-ada', email: 'ada@example.test' }
// later than any lease or heartbeat: recovery sees every saga of a crashed instance as abandoned
const AFTER_THE_CRASH = () => Date.now() + 60 * 60_000

// the gaps between steps on the way to a sale, and which way recovery settles a crash there:
// before the capture is compensated, from the capture on is finished
const POINTS: [SagaPoint, 'done' | 'failed'][] = [
  ['claimed', 'failed'],
  ['reserving', 'failed'],
  ['reserved', 'failed'],
  ['placing', 'failed'],
  ['placed', 'failed'],
  ['capturing', 'failed'],
  ['captured', 'done'],
  ['recording', 'done'],
  ['recorded', 'done'],
  ['committed', 'done'],
]

// World is the checkout and its neighbours wired one of the two ways the deployments do
interface World {
  deps: CheckoutDeps
  // checkout and orders share a database on both deployments
  ordersDb: Db
  inventoryDb: Db
  orders: OrdersService
  payments: Payments
  inventory: Inventory
  close(): void
}

// monolithWorld: every module in-process on one database
async function monolithWorld(): Promise<World> {
  const d = await memoryDatabase(catalog, pricing, inventory, payments, orders, checkout)
  const ordersSvc = new OrdersService(d.db, sqliteOutbox('orders'), { user: async () => null })
  const inv = new InventoryService(d.db)
  const pay = new PaymentsService(d.db, sqliteOutbox('payments'))
  return {
    deps: {
      catalog: new CatalogService(d.db),
      pricing: new PricingService(d.db),
      inventory: inv,
      payments: pay,
      shipping: new ShippingService(),
      orders: ordersSvc,
    },
    ordersDb: d.db,
    inventoryDb: d.db,
    orders: ordersSvc,
    payments: pay,
    inventory: inv,
    close: d.close,
  }
}

// microWorld: checkout with orders on their own database (as in the orders service), every
// other neighbour on its own database behind its HTTP routes, reached by its client
async function microWorld(): Promise<World> {
  const dbs: Database[] = await Promise.all([
    memoryDatabase(orders, checkout),
    memoryDatabase(catalog),
    memoryDatabase(pricing),
    memoryDatabase(inventory),
    memoryDatabase(payments),
  ])
  const [own, cat, pri, inv, pay] = dbs as [Database, Database, Database, Database, Database]
  const over = <C>(routes: ReturnType<typeof testApp>, client: (b: string, f: never) => C) =>
    client('http://in-process', appFetch(routes) as never)
  const ordersSvc = new OrdersService(own.db, sqliteOutbox('orders'), { user: async () => null })
  const inventoryClientOf = over(
    testApp(inventoryRoutes(new InventoryService(inv.db))),
    inventoryClient,
  )
  const paymentsClientOf = over(
    testApp(paymentsRoutes(new PaymentsService(pay.db, sqliteOutbox('payments')))),
    paymentsClient,
  )
  return {
    deps: {
      catalog: over(testApp(catalogRoutes(new CatalogService(cat.db))), catalogClient),
      pricing: over(testApp(pricingRoutes(new PricingService(pri.db))), pricingClient),
      inventory: inventoryClientOf,
      payments: paymentsClientOf,
      shipping: over(testApp(shippingRoutes(new ShippingService())), shippingClient),
      orders: ordersSvc,
    },
    ordersDb: own.db,
    inventoryDb: inv.db,
    orders: ordersSvc,
    payments: paymentsClientOf,
    inventory: inventoryClientOf,
    close: () => {
      for (const d of dbs) d.close()
    },
  }
}

// crashingAt is a checkout instance whose hook does to the saga what a crash (or a throw) at
// point would; the process "dies" with it
const crashingAt = (w: World, point: SagaPoint, how: 'kill' | 'throw') =>
  new CheckoutService(w.ordersDb, w.deps, {
    hook: (p) => {
      if (p !== point) return
      if (how === 'kill') throw new SagaCrash(p)
      throw unavailable(`injected failure at ${p}`)
    },
  })

const shelf = (w: World, productId: string) =>
  w.inventoryDb.select().from(stock).where(eq(stock.productId, productId)).get()!

const sagaOf = (w: World, orderId: string) =>
  w.ordersDb.select().from(sagas).where(eq(sagas.orderId, orderId)).get()

// settledConsistently checks one attempt after recovery: a saga at rest, and order, payment
// and stock agreeing with it
async function expectSettled(
  w: World,
  orderId: string,
  outcome: 'done' | 'failed',
  productId: string,
  before: { onHand: number; reserved: number },
  quantity: number,
) {
  expect(sagaOf(w, orderId)?.state).toBe(outcome)
  const order = await w.orders.order(orderId)
  const payment = await w.payments.payment(orderId)
  const held = w.inventoryDb
    .select()
    .from(reservations)
    .where(eq(reservations.reference, orderId))
    .get()
  const now = shelf(w, productId)
  expect(now.reserved).toBe(before.reserved)
  if (outcome === 'done') {
    expect(order?.status).toBe('paid')
    expect(payment?.status).toBe('captured')
    expect(held?.status).toBe('committed')
    expect(now.onHand).toBe(before.onHand - quantity)
  } else {
    // never placed, or placed and cancelled; never paid
    expect(order === null || order.status === 'cancelled').toBe(true)
    expect(payment === null || payment.status === 'voided').toBe(true)
    expect(held === undefined || held.status === 'released').toBe(true)
    expect(now.onHand).toBe(before.onHand)
  }
}

for (const [deployment, make] of [
  ['monolith wiring', monolithWorld],
  ['micro wiring', microWorld],
] as const) {
  describe(`Checkout crash points (${deployment})`, () => {
    let w: World
    let n = 0
    beforeAll(async () => {
      w = await make()
    })
    afterAll(() => w.close())

    // each case buys its own product, so cases cannot disturb each other's stock
    const nextProduct = () => `p-0${String(101 + n++).padStart(3, '0')}`

    for (const how of ['kill', 'throw'] as const) {
      for (const [point, outcome] of POINTS) {
        it(`${how} at ${point}: recovery ${outcome === 'done' ? 'finishes the sale' : 'compensates'}, the key answers one sale`, async () => {
          const productId = nextProduct()
          const input: CheckoutInput = { items: [{ productId, quantity: 2 }], card: OK }
          const key = `${how}-${point}`
          const orderId = orderIdFor(ada.id, key)
          const before = shelf(w, productId)

          const crashed = await crashingAt(w, point, how)
            .checkout(ada, input, key)
            .catch((e: unknown) => e)
          if (how === 'kill') expect(crashed).toBeInstanceOf(SagaCrash)
          else expect(crashed).toBeInstanceOf(DomainError)
          // the saga is still in flight: a crash leaves it, a throw hands it to recovery
          expect(['done', 'failed']).not.toContain(sagaOf(w, orderId)?.state)

          // a new process on the same database recovers what the old one left
          const restarted = new CheckoutService(w.ordersDb, w.deps)
          expect(await restarted.recover(how === 'kill' ? AFTER_THE_CRASH() : undefined)).toBe(1)
          await expectSettled(w, orderId, outcome, productId, before, 2)
          expect((await restarted.sagas()).inFlight).toBe(0)

          // the client retries with its key: the sale it was not told about, or one new sale
          const retried = await restarted.checkout(ada, input, key)
          expect(retried.status).toBe('confirmed')
          expect(retried.orderId).toBe(outcome === 'done' ? orderId : orderIdFor(ada.id, key, 2))
          expect(await restarted.checkout(ada, input, key)).toEqual(retried)
          await expectSettled(w, retried.orderId, 'done', productId, before, 2)
          const paid = [orderId, orderIdFor(ada.id, key, 2)]
          const statuses = await Promise.all(
            paid.map(async (id) => (await w.orders.order(id))?.status),
          )
          expect(statuses.filter((s) => s === 'paid')).toHaveLength(1)
        })
      }
    }

    it('kill while compensating a declined card: recovery finishes the compensation', async () => {
      const productId = nextProduct()
      const input: CheckoutInput = { items: [{ productId, quantity: 1 }], card: DECLINED }
      const key = 'kill-compensating'
      const orderId = orderIdFor(ada.id, key)
      const before = shelf(w, productId)
      const crashed = await crashingAt(w, 'compensating', 'kill')
        .checkout(ada, input, key)
        .catch((e: unknown) => e)
      expect(crashed).toBeInstanceOf(SagaCrash)
      expect(shelf(w, productId).reserved).toBe(before.reserved + 1)
      const restarted = new CheckoutService(w.ordersDb, w.deps)
      expect(await restarted.recover(AFTER_THE_CRASH())).toBe(1)
      await expectSettled(w, orderId, 'failed', productId, before, 1)
      const again = await restarted.checkout(ada, input, key).catch((e: unknown) => e)
      expect((again as DomainError).kind).toBe('rule')
    })

    it('cancels a paid order: stock back on the shelf, money refunded; 409 once shipped', async () => {
      const productId = nextProduct()
      const input: CheckoutInput = { items: [{ productId, quantity: 3 }], card: OK }
      const svc = new CheckoutService(w.ordersDb, w.deps)
      const before = shelf(w, productId)
      const sale = await svc.checkout(ada, input, 'cancel-me')
      expect(shelf(w, productId).onHand).toBe(before.onHand - 3)
      expect((await svc.cancel({ id: 'u-bob' }, sale.orderId).catch((e) => e)).kind).toBe(
        'forbidden',
      )
      const cancelled = await svc.cancel(ada, sale.orderId)
      expect(cancelled.status).toBe('cancelled')
      expect(shelf(w, productId)).toEqual(before)
      expect((await w.payments.payment(sale.orderId))?.status).toBe('refunded')
      expect(sagaOf(w, sale.orderId)?.state).toBe('cancelled')
      // cancelling twice changes nothing; the key still answers the sale it made
      expect((await svc.cancel(ada, sale.orderId)).version).toBe(cancelled.version)
      expect(shelf(w, productId)).toEqual(before)
      expect((await svc.checkout(ada, input, 'cancel-me')).orderId).toBe(sale.orderId)

      const shipped = await svc.checkout(ada, input, 'ship-me')
      await w.orders.ship(shipped.orderId)
      expect((await svc.cancel(ada, shipped.orderId).catch((e) => e)).kind).toBe('conflict')
      expect((await w.payments.payment(shipped.orderId))?.status).toBe('captured')
      expect(sagaOf(w, shipped.orderId)?.state).toBe('done')
    })

    it('kill while cancelling: recovery finishes the refund and the restock', async () => {
      const productId = nextProduct()
      const input: CheckoutInput = { items: [{ productId, quantity: 1 }], card: OK }
      const before = shelf(w, productId)
      const sale = await new CheckoutService(w.ordersDb, w.deps).checkout(ada, input, 'kc')
      const crashed = await crashingAt(w, 'cancelling', 'kill')
        .cancel(ada, sale.orderId)
        .catch((e: unknown) => e)
      expect(crashed).toBeInstanceOf(SagaCrash)
      const restarted = new CheckoutService(w.ordersDb, w.deps)
      expect(await restarted.recover(AFTER_THE_CRASH())).toBe(1)
      expect(sagaOf(w, sale.orderId)?.state).toBe('cancelled')
      expect((await w.orders.order(sale.orderId))?.status).toBe('cancelled')
      expect((await w.payments.payment(sale.orderId))?.status).toBe('refunded')
      expect(shelf(w, productId)).toEqual(before)
    })
  })
}
