import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import type { Catalog } from '../../contracts/catalog.ts'
import type { Checkout, CheckoutInput, CheckoutResult } from '../../contracts/checkout.ts'
import type { OrderLine } from '../../contracts/events.ts'
import type { Inventory, Reservation } from '../../contracts/inventory.ts'
import type { Orders } from '../../contracts/orders.ts'
import type { Payment, Payments } from '../../contracts/payments.ts'
import type { Pricing } from '../../contracts/pricing.ts'
import type { Shipping } from '../../contracts/shipping.ts'
import { conflict, DomainError, type ErrorKind, notFound, refused } from '../../domain/errors.ts'
import { cents, money } from '../../domain/money.ts'
import { type Db, nowIso, write } from '../../platform/db/index.ts'
import { idempotency } from './schema.ts'

// CheckoutDeps are the neighbours a checkout talks to, typed by their contracts
export interface CheckoutDeps {
  catalog: Catalog
  pricing: Pricing
  inventory: Inventory
  payments: Payments
  shipping: Shipping
  orders: Orders
}

// CheckoutOptions tunes the service; log hears about steps left unfinished after a sale
export interface CheckoutOptions {
  log?: (msg: string) => void
  // a pending key older than this is taken over: the checkout that claimed it has died
  abandonedAfterMs?: number
}

// the failure a customer is told about when several branches fail: business answers (no
// stock, card declined) say more than "try again later"
const RANK: ErrorKind[] = [
  'conflict',
  'rule',
  'not-found',
  'invalid',
  'forbidden',
  'unauthorized',
  'unavailable',
]

type User = { id: string; email: string }

// CheckoutService is the branch: stock, payment and shipping run in parallel; when any fails
// the successful ones are compensated and no order is confirmed; when all succeed the order
// is placed, the payment captured and the stock committed.
//
// Money: the customer is charged the items total. Shipping is quoted (carrier, eta, what the
// carrier costs the shop) but not charged: delivery is free for customers. So the authorised
// amount, the order total, the captured amount and the response total are one number.
export class CheckoutService implements Checkout {
  private readonly log: (msg: string) => void
  private readonly abandonedAfterMs: number

  constructor(
    private readonly db: Db,
    private readonly deps: CheckoutDeps,
    opts: CheckoutOptions = {},
  ) {
    this.log = opts.log ?? (() => {})
    this.abandonedAfterMs = opts.abandonedAfterMs ?? 60_000
  }

  async checkout(user: User, input: CheckoutInput, key?: string): Promise<CheckoutResult> {
    if (key === undefined) return this.run(user, input)
    const stored = this.claim(user.id, key)
    if (stored) return stored
    try {
      const result = await this.run(user, input)
      write(this.db, (tx) =>
        tx
          .update(idempotency)
          .set({ state: 'done', response: result })
          .where(and(eq(idempotency.userId, user.id), eq(idempotency.key, key)))
          .run(),
      )
      return result
    } catch (error) {
      // nothing was sold: free the key so a retry runs again
      write(this.db, (tx) =>
        tx
          .delete(idempotency)
          .where(
            and(
              eq(idempotency.userId, user.id),
              eq(idempotency.key, key),
              eq(idempotency.state, 'pending'),
            ),
          )
          .run(),
      )
      throw error
    }
  }

  // claim answers the stored result of a finished checkout under this key, refuses one still
  // running (409), or records the key as pending and answers null
  private claim(userId: string, key: string): CheckoutResult | null {
    return write(this.db, (tx) => {
      const where = and(eq(idempotency.userId, userId), eq(idempotency.key, key))
      const row = tx.select().from(idempotency).where(where).get()
      if (row?.state === 'done') return row.response as CheckoutResult
      if (row && Date.now() - Date.parse(row.createdAt) < this.abandonedAfterMs) {
        throw conflict('a checkout with this Idempotency-Key is still running')
      }
      if (row) {
        tx.update(idempotency).set({ createdAt: nowIso() }).where(where).run()
      } else {
        tx.insert(idempotency).values({ userId, key, state: 'pending', createdAt: nowIso() }).run()
      }
      return null
    })
  }

  private async run(user: User, input: CheckoutInput): Promise<CheckoutResult> {
    const { inventory, payments, shipping, orders } = this.deps
    const items = mergeLines(input.items)
    const lines = await this.price(items)
    const currency = lines[0]!.unitPrice.currency
    if (lines.some((l) => l.unitPrice.currency !== currency)) {
      throw refused('a basket must be priced in one currency')
    }
    const total = money(
      lines.reduce((sum, l) => sum + cents(l.unitPrice) * l.quantity, 0),
      currency,
    )
    const orderId = randomUUID()

    // the branch: three independent steps at once, each settled whatever the others do
    const [reserved, authorized, quoted] = await Promise.allSettled([
      attempt(() => inventory.reserve({ reference: orderId, items })),
      attempt(() =>
        payments.authorize({
          reference: orderId,
          userId: user.id,
          email: user.email,
          amount: total,
          card: input.card,
        }),
      ),
      attempt(() => shipping.quote({ items })),
    ])
    const reservation = reserved.status === 'fulfilled' ? reserved.value : null
    const payment = authorized.status === 'fulfilled' ? authorized.value : null
    if (!reservation || !payment || quoted.status === 'rejected') {
      await this.compensate(orderId, user.id, reservation, payment, false)
      throw mostMeaningful(
        [reserved, authorized, quoted].flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])),
      )
    }
    const quote = quoted.value

    let captured: Payment
    let version: number
    try {
      const order = await orders.place({
        orderId,
        userId: user.id,
        items: lines,
        total,
        paymentId: payment.id,
        reservationId: reservation.id,
        shippingQuoteId: quote.id,
      })
      version = order.version
      captured = await payments.capture(payment.id, orderId)
    } catch (error) {
      // the order may exist (placed, capture failed, or the answer was lost): cancel it too
      await this.compensate(orderId, user.id, reservation, payment, true)
      throw error
    }

    // money is taken: the sale stands. Recording it on the order and taking the stock off the
    // shelf are retried by nobody, so a failure here is logged and shown in the steps
    const [recorded, committed] = await Promise.allSettled([
      attempt(() =>
        orders.append(orderId, version, [
          {
            type: 'PaymentCaptured',
            data: { orderId, paymentId: captured.id, amount: captured.amount },
          },
        ]),
      ),
      attempt(() => inventory.commit(reservation.id)),
    ])
    if (recorded.status === 'rejected') {
      this.log(`checkout ${orderId}: PaymentCaptured not recorded: ${String(recorded.reason)}`)
    }
    if (committed.status === 'rejected') {
      this.log(`checkout ${orderId}: reservation not committed: ${String(committed.reason)}`)
    }
    const stock: Reservation = committed.status === 'fulfilled' ? committed.value : reservation
    return {
      orderId,
      status: 'confirmed',
      total,
      steps: {
        inventory: { reservationId: stock.id, status: stock.status },
        payment: { paymentId: captured.id, status: captured.status },
        shipping: {
          quoteId: quote.id,
          carrier: quote.carrier,
          price: quote.price,
          etaDays: quote.etaDays,
        },
      },
    }
  }

  // price looks every product up in the catalog and the price list; an unknown one is a 404
  private async price(items: { productId: string; quantity: number }[]): Promise<OrderLine[]> {
    const ids = items.map((i) => i.productId)
    const [products, prices] = await Promise.all([
      this.deps.catalog.products(ids),
      this.deps.pricing.prices(ids),
    ])
    const names = new Map(products.map((p) => [p.id, p.name]))
    const unitPrices = new Map(prices.map((p) => [p.productId, p.price]))
    return items.map(({ productId, quantity }) => {
      const name = names.get(productId)
      if (name === undefined) throw notFound(`product ${productId}`)
      const unitPrice = unitPrices.get(productId)
      if (!unitPrice) throw notFound(`price of product ${productId}`)
      return { productId, name, quantity, unitPrice }
    })
  }

  // compensate undoes the successful branches (and, once placed, the order); each undo is
  // attempted whatever the others do, and a failed undo is logged, not thrown, so the
  // customer hears the cause of the failure
  private async compensate(
    orderId: string,
    userId: string,
    reservation: Reservation | null,
    payment: Payment | null,
    placed: boolean,
  ): Promise<void> {
    const { inventory, payments, orders } = this.deps
    const undo: [string, () => Promise<unknown>][] = []
    if (reservation) undo.push(['release stock', () => inventory.release(reservation.id)])
    if (payment) undo.push(['void payment', () => payments.void(payment.id)])
    if (placed) undo.push(['cancel order', () => orders.cancel(orderId, userId)])
    const results = await Promise.allSettled(undo.map(([, fn]) => attempt(fn)))
    results.forEach((r, i) => {
      const notPlaced = r.status === 'rejected' && undo[i]![0] === 'cancel order'
      if (r.status === 'rejected' && !(notPlaced && isKind(r.reason, 'not-found'))) {
        this.log(`checkout ${orderId}: could not ${undo[i]![0]}: ${String(r.reason)}`)
      }
    })
  }
}

// attempt runs a step so that even a synchronous throw becomes a rejected promise
const attempt = async <T>(fn: () => Promise<T>): Promise<T> => fn()

const isKind = (e: unknown, kind: ErrorKind) => e instanceof DomainError && e.kind === kind

// mostMeaningful picks the error to answer with when branches failed (non-DomainErrors last)
function mostMeaningful(errors: unknown[]): unknown {
  const rank = (e: unknown) => (e instanceof DomainError ? RANK.indexOf(e.kind) : RANK.length)
  return [...errors].sort((a, b) => rank(a) - rank(b))[0]
}

// mergeLines adds up repeated products, keeping the order they first appeared in
function mergeLines(items: CheckoutInput['items']): { productId: string; quantity: number }[] {
  const merged = new Map<string, number>()
  for (const { productId, quantity } of items) {
    merged.set(productId, (merged.get(productId) ?? 0) + quantity)
  }
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }))
}
