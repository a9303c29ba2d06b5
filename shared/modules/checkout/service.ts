import { createHash, randomUUID } from 'node:crypto'
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm'
import type { Catalog } from '../../contracts/catalog.ts'
import type {
  Checkout,
  CheckoutInput,
  CheckoutResult,
  SagaSummary,
} from '../../contracts/checkout.ts'
import type { OrderLine } from '../../contracts/events.ts'
import type { Inventory, Reservation } from '../../contracts/inventory.ts'
import type { Order, Orders } from '../../contracts/orders.ts'
import type { Payment, Payments } from '../../contracts/payments.ts'
import type { Pricing } from '../../contracts/pricing.ts'
import type { Quote, Shipping } from '../../contracts/shipping.ts'
import {
  conflict,
  DomainError,
  type ErrorKind,
  forbidden,
  notFound,
  refused,
  unavailable,
} from '../../domain/errors.ts'
import { cents, type Money, money } from '../../domain/money.ts'
import { type Db, nowIso, write } from '../../platform/db/index.ts'
import { owners, type SagaState, sagas } from './schema.ts'

// CheckoutDeps are the neighbours a checkout talks to, typed by their contracts
export interface CheckoutDeps {
  catalog: Catalog
  pricing: Pricing
  inventory: Inventory
  payments: Payments
  shipping: Shipping
  orders: Orders
}

// SagaPoint names the gaps between a saga's steps, where a test hook may crash or block it
export type SagaPoint =
  | 'claimed'
  | 'reserving'
  | 'reserved'
  | 'placing'
  | 'placed'
  | 'capturing'
  | 'captured'
  | 'recording'
  | 'recorded'
  | 'committed'
  | 'compensating'
  | 'cancelling'

// SagaCrash, thrown by a test hook, stops a saga where it stands without compensating: what a
// killed process leaves behind
export class SagaCrash extends Error {
  constructor(readonly point: SagaPoint) {
    super(`simulated crash at ${point}`)
    this.name = 'SagaCrash'
  }
}

// CheckoutOptions tunes the saga; hook is for tests only (crash points), log hears about steps
// left to the recovery worker
export interface CheckoutOptions {
  log?: (msg: string) => void
  // how long an attempt owns its saga before the recovery worker may take it over even though
  // its owner still beats (a hung attempt)
  leaseMs?: number
  // how often the recovery worker looks for sagas a crash left in flight (and the owner beats)
  recoverEveryMs?: number
  hook?: (point: SagaPoint, orderId: string) => void | Promise<void>
  // whether a call to a neighbour would be tried now (the deployment's links say; in process
  // always): a new attempt is not started while one of them would refuse at once
  reachable?: (need: keyof CheckoutDeps & string) => boolean
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

// the neighbours a new attempt calls on its way to a sale
const NEEDS = ['catalog', 'pricing', 'inventory', 'payments', 'shipping', 'orders'] as const

// dependencyDown is the answer while a neighbour's link refuses calls: 503 naming it, so the
// caller's breaker does not count it against checkout
function dependencyDown(need: string): DomainError {
  const e = unavailable(`${need} is unavailable; no checkout was started`)
  e.dependency = need
  return e
}

// states a saga ends in; the others are in flight
const TERMINAL: SagaState[] = ['done', 'failed', 'cancelled']
const IN_FLIGHT: SagaState[] = [
  'started',
  'reserving',
  'placing',
  'capturing',
  'captured',
  'compensating',
  'cancelling',
]

// uuid namespace of order ids derived from (user, Idempotency-Key)
const NAMESPACE = 'twinstack:checkout:order'

type User = { id: string; email: string }
type Row = typeof sagas.$inferSelect
type Stored = { kind: ErrorKind; message: string; extra: Record<string, unknown> }

// CheckoutService is the branch as a durable saga. Its log (checkout_sagas) holds one row per
// attempt, keyed by the order id, which is also the reference of the reservation and payment:
//
//   started → reserving → placing → capturing → captured → done
//        ↘         ↘          ↘           ↘
//          compensating → failed            (done → cancelling → cancelled on a cancel)
//
// Before the capture (the pivot) a failure or crash is compensated: void, then release stock
// and cancel the order if placed. Payments decides capture against void (whichever lands first
// wins), so a saga whose capture answer was lost learns the outcome from the void. From the
// capture on, the sale stands and recording PaymentCaptured and committing the stock are
// retried until done. Every step is idempotent by reference, so resending is always safe.
//
// Money: the customer is charged the items total. Shipping is quoted (carrier, eta, what the
// carrier costs the shop) but not charged: delivery is free for customers. So the authorised
// amount, the order total, the captured amount and the response total are one number.
export class CheckoutService implements Checkout {
  private readonly log: (msg: string) => void
  private readonly leaseMs: number
  private readonly recoverEveryMs: number
  private readonly hook: (point: SagaPoint, orderId: string) => void | Promise<void>
  private readonly reachable: CheckoutOptions['reachable']
  private readonly owner = randomUUID()
  private running = false
  private recovering = false
  // when the last recovery round began: kicks wake the worker at most once per interval
  private roundAt = 0
  private beating: ReturnType<typeof setInterval> | null = null
  private wake: (() => void) | null = null
  private loop: Promise<void> | null = null
  private readonly byKey
  private readonly byOrder
  private readonly step

  constructor(
    private readonly db: Db,
    private readonly deps: CheckoutDeps,
    opts: CheckoutOptions = {},
  ) {
    this.log = opts.log ?? (() => {})
    this.leaseMs = opts.leaseMs ?? 60_000
    this.recoverEveryMs = opts.recoverEveryMs ?? 2_000
    this.hook = opts.hook ?? (() => {})
    this.reachable = opts.reachable
    // the newest attempt of a key, and a saga by order id: read on every checkout
    this.byKey = db
      .select()
      .from(sagas)
      .where(and(eq(sagas.userId, sql.placeholder('user')), eq(sagas.key, sql.placeholder('key'))))
      .orderBy(sql`${sagas.attempt} desc`)
      .limit(1)
      .prepare()
    this.byOrder = db
      .select()
      .from(sagas)
      .where(eq(sagas.orderId, sql.placeholder('id')))
      .prepare()
    // a step with nothing to record besides the state: several per checkout
    this.step = db
      .update(sagas)
      .set({
        state: sql`${sql.placeholder('to')}`,
        leaseUntil: sql`${sql.placeholder('lease')}`,
        updatedAt: sql`${sql.placeholder('at')}`,
      })
      .where(
        and(
          eq(sagas.orderId, sql.placeholder('id')),
          eq(sagas.state, sql.placeholder('from')),
          eq(sagas.owner, sql.placeholder('owner')),
        ),
      )
      .prepare()
  }

  async checkout(user: User, input: CheckoutInput, key?: string): Promise<CheckoutResult> {
    // a neighbour refuses calls right now and this key has nothing to answer or settle: say so
    // without a write transaction (claim checks again for keys it has seen)
    const down = this.unreachable()
    if (down && (key === undefined || !this.byKey.get({ user: user.id, key }))) {
      throw dependencyDown(down)
    }
    const fingerprint = fingerprintOf(input)
    for (let round = 0; ; round++) {
      const claim = this.claim(user.id, key, fingerprint, down)
      if (claim.kind === 'done') return claim.result
      if (claim.kind === 'run') return this.runOrLeave(user, input, claim.row)
      // the key's last attempt was abandoned by a crash: settle it (resume or compensate)
      // before anything else, then answer what it became or run the next attempt
      const settled = await this.settle(claim.row)
      if (!settled && round >= 2) {
        throw interrupted('the previous checkout with this key could not be settled yet')
      }
    }
  }

  async cancel(user: { id: string }, orderId: string): Promise<Order> {
    const { orders } = this.deps
    const order = await orders.order(orderId)
    if (!order) throw notFound('order')
    if (order.userId !== user.id) throw forbidden('only the owner can cancel an order')
    if (order.status === 'shipped') throw conflict('a shipped order cannot be cancelled')
    const row = this.row(orderId)
    if (order.status === 'cancelled' && row?.state !== 'cancelling') return order
    if (row && !TERMINAL.includes(row.state) && row.state !== 'cancelling') {
      throw stillRunning(this.retryAfterS(row))
    }
    if (row && row.state !== 'cancelling') {
      // the log says "cancelling" first, so a crash from here on is finished by recovery
      const moved = write(this.db, (tx) =>
        tx
          .update(sagas)
          .set({
            state: 'cancelling',
            owner: this.owner,
            leaseUntil: Date.now() + this.leaseMs,
            updatedAt: nowIso(),
          })
          .where(and(eq(sagas.orderId, orderId), eq(sagas.state, row.state)))
          .run(),
      ) as unknown as { changes: number }
      if (moved.changes !== 1) throw stillRunning(1)
    }
    await this.hook('cancelling', orderId)
    return this.finishCancel(orderId, user.id, row?.state === 'cancelling' ? null : 'done')
  }

  async sagas(): Promise<SagaSummary> {
    const counts = this.db
      .select({ state: sagas.state, n: sql<number>`count(*)` })
      .from(sagas)
      .groupBy(sagas.state)
      .all()
    const states = Object.fromEntries(counts.map((c) => [c.state, Number(c.n)]))
    const inFlight = counts
      .filter((c) => !TERMINAL.includes(c.state))
      .reduce((n, c) => n + Number(c.n), 0)
    return { inFlight, states, reservedUnits: await this.deps.inventory.reserved() }
  }

  // recover settles every saga a crash left in flight (lease over, or owner no longer beating);
  // now is a parameter so a test can look from the future instead of waiting
  async recover(now = Date.now()): Promise<number> {
    const alive = this.db
      .select({ owner: owners.owner })
      .from(owners)
      .where(sql`${owners.aliveUntil} >= ${now}`)
      .all()
      .map((o) => o.owner)
    // this instance is alive unless a test looks from the future
    if (now <= Date.now()) alive.push(this.owner)
    const open = this.db
      .select()
      .from(sagas)
      .where(inArray(sagas.state, IN_FLIGHT))
      .orderBy(asc(sagas.createdAt))
      .limit(200)
      .all()
      .filter((r) => r.leaseUntil < now || !alive.includes(r.owner))
    let settled = 0
    for (const row of open) {
      try {
        if (await this.settle(row, now)) settled++
      } catch (error) {
        if (error instanceof SagaCrash) throw error
        this.log(`checkout ${row.orderId}: recovery failed: ${String(error)}`)
      }
    }
    return settled
  }

  // start beats and recovers now, then every recoverEveryMs; the answer stops it
  start(): () => Promise<void> {
    if (!this.running) {
      this.running = true
      // the beat has its own timer: a long recovery round must not make this instance look dead
      this.beat()
      this.beating = setInterval(() => {
        try {
          this.beat()
        } catch (error) {
          this.log(`checkout: heartbeat failed: ${String(error)}`)
        }
      }, this.recoverEveryMs)
      this.beating.unref?.()
      this.loop = this.work()
    }
    return () => this.stop()
  }

  async stop(): Promise<void> {
    this.running = false
    if (this.beating) clearInterval(this.beating)
    this.beating = null
    this.wake?.()
    await this.loop
    this.loop = null
  }

  // kick asks the worker to look now (a saga was left to it), unless a round began within the
  // interval: the timer runs the next one soon enough. Not from inside a round either. While a
  // dependency is down every live checkout leaves a saga and kicks, and each round retries all
  // of them: rounds at the request rate would spin the process on writes and starve its reads.
  private kick(): void {
    if (this.recovering || Date.now() - this.roundAt < this.recoverEveryMs) return
    this.wake?.()
  }

  private async work(): Promise<void> {
    while (this.running) {
      try {
        this.recovering = true
        this.roundAt = Date.now()
        await this.recover()
      } catch (error) {
        this.log(`checkout: recovery round failed: ${String(error)}`)
      } finally {
        this.recovering = false
      }
      // the timer is made here, outside any request, so the calls recovery makes carry no
      // caller's deadline
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.recoverEveryMs)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
    }
  }

  // beat says this instance is alive for three more rounds
  private beat(): void {
    const aliveUntil = Date.now() + 3 * this.recoverEveryMs
    write(this.db, (tx) => {
      tx.insert(owners)
        .values({ owner: this.owner, aliveUntil })
        .onConflictDoUpdate({ target: owners.owner, set: { aliveUntil } })
        .run()
      // instances long gone (a restart makes a new one) are forgotten after a day
      tx.delete(owners)
        .where(lt(owners.aliveUntil, Date.now() - 86_400_000))
        .run()
    })
  }

  // claim answers a done key's result, refuses a key in use (409) or reused with another body
  // (422), hands back an abandoned attempt to settle, or logs a new attempt and answers it
  private claim(
    userId: string,
    key: string | undefined,
    fingerprint: string,
    // a neighbour that refuses calls right now (asked once per checkout: asking when a breaker
    // is due for its trial grants the trial)
    down: string | undefined,
  ):
    | { kind: 'done'; result: CheckoutResult }
    | { kind: 'run'; row: Row }
    | { kind: 'abandoned'; row: Row } {
    return write(this.db, (tx) => {
      const last =
        key === undefined ? undefined : (this.byKey.get({ user: userId, key }) as Row | undefined)
      if (last && last.fingerprint !== fingerprint) {
        throw refused('this Idempotency-Key was used with a different request body', {
          reason: 'idempotency-key-reused',
        })
      }
      if (last?.state === 'done' || last?.state === 'cancelling' || last?.state === 'cancelled') {
        return { kind: 'done' as const, result: last.response as CheckoutResult }
      }
      if (last && last.state !== 'failed') {
        const now = Date.now()
        const ownerAlive = tx
          .select()
          .from(owners)
          .where(and(eq(owners.owner, last.owner), sql`${owners.aliveUntil} >= ${now}`))
          .get()
        const mine = last.owner === this.owner
        if (last.leaseUntil >= now && (ownerAlive || mine)) {
          throw stillRunning(this.retryAfterS(last))
        }
        return { kind: 'abandoned' as const, row: last }
      }
      // a neighbour the attempt needs refuses calls right now (its breaker is open): answer at
      // once, before anything is held, priced or logged; a finished key still answers above
      if (down) throw dependencyDown(down)
      const attempt = (last?.attempt ?? 0) + 1
      const orderId = key === undefined ? randomUUID() : orderIdFor(userId, key, attempt)
      const now = nowIso()
      const row: Row = {
        orderId,
        userId,
        key: key ?? null,
        attempt,
        fingerprint,
        state: 'started',
        lines: null,
        total: null,
        quote: null,
        response: null,
        owner: this.owner,
        leaseUntil: Date.now() + this.leaseMs,
        createdAt: now,
        updatedAt: now,
      }
      tx.insert(sagas).values(row).run()
      return { kind: 'run' as const, row }
    })
  }

  // unreachable names a neighbour a new attempt needs whose calls would be refused now, if any
  private unreachable(): string | undefined {
    const reachable = this.reachable
    if (!reachable) return undefined
    return NEEDS.find((need) => !reachable(need))
  }

  // runOrLeave runs an attempt; whatever escapes it unplanned hands the saga to recovery at
  // once (a simulated crash leaves it as a real one would: owned, until its owner stops beating)
  private async runOrLeave(user: User, input: CheckoutInput, row: Row): Promise<CheckoutResult> {
    try {
      return await this.run(user, input, row)
    } catch (error) {
      if (!(error instanceof SagaCrash)) {
        const now = this.row(row.orderId)
        if (
          now &&
          !TERMINAL.includes(now.state) &&
          now.owner === this.owner &&
          now.leaseUntil > 0
        ) {
          this.leave(now, `attempt stopped: ${String(error)}`)
        }
      }
      throw error
    }
  }

  // run drives one new attempt forward; any failure before the capture is compensated
  private async run(user: User, input: CheckoutInput, row: Row): Promise<CheckoutResult> {
    const { inventory, payments, shipping } = this.deps
    const orderId = row.orderId
    await this.hook('claimed', orderId)
    const items = mergeLines(input.items)
    let lines: OrderLine[]
    let total: Money
    try {
      lines = await this.price(items)
      const currency = lines[0]!.unitPrice.currency
      if (lines.some((l) => l.unitPrice.currency !== currency)) {
        throw refused('a basket must be priced in one currency')
      }
      total = money(
        lines.reduce((sum, l) => sum + cents(l.unitPrice) * l.quantity, 0),
        currency,
      )
    } catch (error) {
      // nothing was sent anywhere: the attempt simply failed
      this.fail(row, 'started', error)
      throw error
    }
    row = this.move(row, 'started', 'reserving', { lines, total })
    await this.hook('reserving', orderId)

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
    await this.hook('reserved', orderId)
    const errors = [reserved, authorized, quoted].flatMap((r) =>
      r.status === 'rejected' ? [r.reason] : [],
    )
    // a reference compensated meanwhile (recovery took over) answers released / voided
    if (reserved.status === 'fulfilled' && reserved.value.status !== 'held') {
      errors.push(interrupted('the checkout was interrupted and compensated'))
    }
    if (authorized.status === 'fulfilled' && authorized.value.status !== 'authorized') {
      errors.push(interrupted('the checkout was interrupted and compensated'))
    }
    if (errors.length > 0 || quoted.status === 'rejected') {
      const cause = mostMeaningful(errors)
      if (cause instanceof SagaCrash) throw cause
      await this.compensate(row, 'reserving', cause)
      throw cause
    }
    const quote = (quoted as PromiseFulfilledResult<Quote>).value
    row = this.move(row, 'reserving', 'placing', { quote })
    let placedVersion: number
    await this.hook('placing', orderId)
    try {
      placedVersion = (
        await this.deps.orders.place({
          orderId,
          userId: user.id,
          items: lines,
          total,
          paymentId: (authorized as PromiseFulfilledResult<Payment>).value.id,
          reservationId: (reserved as PromiseFulfilledResult<Reservation>).value.id,
          shippingQuoteId: quote.id,
        })
      ).version
    } catch (error) {
      if (error instanceof SagaCrash) throw error
      // the order may exist (its answer was lost): compensation cancels it too
      await this.compensate(row, 'placing', error)
      throw error
    }
    await this.hook('placed', orderId)
    row = this.move(row, 'placing', 'capturing', {})
    let captured: Payment
    await this.hook('capturing', orderId)
    try {
      captured = await payments.capture(orderId, orderId)
    } catch (error) {
      if (error instanceof SagaCrash) throw error
      // the capture may have landed (its answer was lost): compensation's void tells
      const outcome = await this.compensate(row, 'capturing', error)
      if (outcome.kind === 'done') return outcome.result
      throw error
    }
    await this.hook('captured', orderId)
    row = this.move(row, 'capturing', 'captured', {})
    // live: the answer comes back even when a step after the capture is left to recovery
    return (await this.finishSale(row, true, { version: placedVersion, payment: captured }))!
  }

  // settle takes over a saga in flight and resumes it (captured) or compensates it (before);
  // answers whether it reached a terminal state
  private async settle(found: Row, now = Date.now()): Promise<boolean> {
    const row = this.takeOver(found, now)
    if (!row) return false
    try {
      return await this.settleOwned(row)
    } catch (error) {
      if (error instanceof SagaCrash) throw error
      // a dependency is down: hand the saga back so the next round tries again
      this.leave(row, `recovery will try again: ${String(error)}`)
      return false
    }
  }

  private async settleOwned(row: Row): Promise<boolean> {
    if (row.state === 'cancelling') {
      await this.finishCancel(row.orderId, row.userId, null)
      return true
    }
    if (row.state === 'captured') {
      const result = await this.finishSale(row, false)
      return result !== null
    }
    if (row.state === 'started') {
      // nothing was sent: the references were never used
      this.fail(row, 'started', interrupted('the checkout was interrupted before it started'))
      return true
    }
    const payment = await this.deps.payments.payment(row.orderId)
    if (payment && (payment.status === 'captured' || payment.status === 'refunded')) {
      const captured = this.move(row, row.state, 'captured', {})
      return (await this.finishSale(captured, false)) !== null
    }
    const outcome = await this.compensate(
      row,
      row.state,
      interrupted('the checkout was interrupted and compensated'),
    )
    return outcome.kind !== 'pending'
  }

  // takeOver makes this instance the saga's owner if it is still where it was found
  private takeOver(found: Row, now: number): Row | null {
    return write(this.db, (tx) => {
      const row = tx.select().from(sagas).where(eq(sagas.orderId, found.orderId)).get()
      if (!row || TERMINAL.includes(row.state)) return null
      if (row.owner !== found.owner || row.leaseUntil !== found.leaseUntil) return null
      const next = { owner: this.owner, leaseUntil: now + this.leaseMs, updatedAt: nowIso() }
      tx.update(sagas).set(next).where(eq(sagas.orderId, row.orderId)).run()
      return { ...row, ...next }
    })
  }

  // compensate undoes an attempt before its capture: void first (it decides against a capture
  // that may have landed), then release the stock and cancel the order if placed. A failed undo
  // is logged and left to the recovery worker; the caller answers the original cause
  private async compensate(
    row: Row,
    from: SagaState,
    cause: unknown,
  ): Promise<{ kind: 'failed' } | { kind: 'done'; result: CheckoutResult } | { kind: 'pending' }> {
    const { inventory, payments, orders } = this.deps
    const orderId = row.orderId
    if (from !== 'compensating') row = this.move(row, from, 'compensating', {})
    try {
      await payments.void(orderId)
    } catch (error) {
      if (error instanceof SagaCrash) throw error
      if (isKind(error, 'conflict')) {
        // the capture landed first: the sale stands, finish it instead
        const captured = this.move(row, 'compensating', 'captured', {})
        const result = await this.finishSale(captured, false)
        return result ? { kind: 'done', result } : { kind: 'pending' }
      }
      return this.leave(row, `could not void payment: ${String(error)}`)
    }
    await this.hook('compensating', orderId)
    const undo: [string, () => Promise<unknown>][] = [
      ['release stock', () => inventory.release(orderId)],
      ['cancel order', () => cancelIfPlaced(orders, orderId, row.userId)],
    ]
    const results = await Promise.allSettled(undo.map(([, fn]) => attempt(fn)))
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [[undo[i]![0], r]] : []))
    for (const r of results) {
      if (r.status === 'rejected' && r.reason instanceof SagaCrash) throw r.reason
    }
    if (failed.length > 0) {
      const [what, r] = failed[0] as [string, PromiseRejectedResult]
      return this.leave(row, `could not ${what}: ${String(r.reason)}`)
    }
    this.fail(row, 'compensating', cause)
    return { kind: 'failed' }
  }

  // finishSale records PaymentCaptured on the order and commits the stock (both idempotent),
  // then marks the saga done with its answer; a step that fails leaves the saga captured for
  // the recovery worker. The customer's answer does not wait for that: the sale stands
  private async finishSale(
    row: Row,
    live: boolean,
    known?: { version: number; payment: Payment },
  ): Promise<CheckoutResult | null> {
    const { inventory, orders, payments } = this.deps
    const orderId = row.orderId
    await this.hook('recording', orderId)
    const [recorded, committed, captured] = await Promise.allSettled([
      attempt(() => recordCapture(orders, payments, orderId, row, known)),
      attempt(() => inventory.commit(orderId)),
      // the live attempt holds the capture's answer; recovery asks
      attempt(async () => known?.payment ?? payments.payment(orderId)),
    ])
    for (const r of [recorded, committed, captured]) {
      if (r.status === 'rejected' && r.reason instanceof SagaCrash) throw r.reason
    }
    if (recorded.status === 'fulfilled') await this.hook('recorded', orderId)
    const payment = captured.status === 'fulfilled' ? captured.value : null
    const stock = committed.status === 'fulfilled' ? committed.value : null
    const quote = row.quote as Quote
    const result: CheckoutResult = {
      orderId,
      status: 'confirmed',
      total: row.total as Money,
      steps: {
        inventory: { reservationId: stock?.id ?? null, status: stock?.status ?? 'held' },
        payment: { paymentId: payment?.id ?? null, status: 'captured' },
        shipping: {
          quoteId: quote.id,
          carrier: quote.carrier,
          price: quote.price,
          etaDays: quote.etaDays,
        },
      },
    }
    if (recorded.status === 'rejected' || committed.status === 'rejected' || !payment) {
      for (const [what, r] of [
        ['PaymentCaptured not recorded', recorded],
        ['reservation not committed', committed],
      ] as const) {
        if (r.status === 'rejected') this.log(`checkout ${orderId}: ${what}: ${String(r.reason)}`)
      }
      this.leave(row, 'left to recovery after the capture')
      return live ? result : null
    }
    await this.hook('committed', orderId)
    this.move(row, 'captured', 'done', { response: result }, 0)
    return result
  }

  // finishCancel cancels the order, refunds (or voids) its payment and puts its stock back;
  // a step that fails leaves the saga cancelling for the recovery worker
  private async finishCancel(
    orderId: string,
    userId: string,
    revertTo: SagaState | null,
  ): Promise<Order> {
    const { inventory, payments, orders } = this.deps
    let order: Order
    try {
      order = await orders.cancel(orderId, userId)
    } catch (error) {
      // shipped meanwhile: the sale stands, the cancellation never happened
      const row = this.row(orderId)
      if (isKind(error, 'conflict') && row?.state === 'cancelling') {
        this.move(row, 'cancelling', revertTo ?? 'done', {}, 0)
      }
      throw error
    }
    const results = await Promise.allSettled([
      attempt(() => payments.refund(orderId)),
      attempt(() => inventory.restock(orderId)),
    ])
    const row = this.row(orderId)
    if (results.some((r) => r.status === 'rejected')) {
      if (row) this.leave(row, `cancel not finished: ${results.map((r) => r.status).join(', ')}`)
      return order
    }
    if (row && row.state === 'cancelling') this.move(row, 'cancelling', 'cancelled', {}, 0)
    return order
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

  private row(orderId: string): Row | undefined {
    return this.byOrder.get({ id: orderId }) as Row | undefined
  }

  // move steps a saga from one state to the next if nobody else moved it meanwhile (recovery
  // may have taken it over): otherwise the attempt stops here, as if it had crashed
  private move(
    row: Row,
    from: SagaState,
    to: SagaState,
    set: Partial<Pick<Row, 'lines' | 'total' | 'quote' | 'response'>>,
    leaseUntil = Date.now() + this.leaseMs,
  ): Row {
    const next = { ...set, state: to, leaseUntil, updatedAt: nowIso() }
    const plain = Object.keys(set).length === 0
    const changed = write(this.db, (tx) =>
      plain
        ? this.step.run({
            to,
            lease: leaseUntil,
            at: next.updatedAt,
            id: row.orderId,
            from,
            owner: row.owner,
          })
        : tx
            .update(sagas)
            .set(next)
            .where(
              and(
                eq(sagas.orderId, row.orderId),
                eq(sagas.state, from),
                eq(sagas.owner, row.owner),
              ),
            )
            .run(),
    ) as unknown as { changes: number }
    if (changed.changes !== 1) {
      throw unavailable('the checkout was taken over by recovery; retry with the same key')
    }
    return { ...row, ...next }
  }

  // fail ends an attempt that sold nothing, keeping its error for the log
  private fail(row: Row, from: SagaState, cause: unknown): void {
    const error: Stored =
      cause instanceof DomainError
        ? { kind: cause.kind, message: cause.message, extra: cause.extra }
        : { kind: 'unavailable', message: String(cause), extra: {} }
    this.move(row, from, 'failed', { response: error }, 0)
  }

  // leave hands a saga to the recovery worker now (its lease ends) and wakes the worker
  private leave(row: Row, why: string): { kind: 'pending' } {
    this.log(`checkout ${row.orderId}: ${why}`)
    write(this.db, (tx) =>
      tx
        .update(sagas)
        .set({ leaseUntil: 0, updatedAt: nowIso() })
        .where(and(eq(sagas.orderId, row.orderId), eq(sagas.owner, row.owner)))
        .run(),
    )
    this.kick()
    return { kind: 'pending' }
  }

  private retryAfterS(row: Row): number {
    return Math.max(1, Math.min(5, Math.ceil((row.leaseUntil - Date.now()) / 1000)))
  }
}

// stillRunning is the 409 a repeat gets while the first checkout with its key runs
// interrupted is the 503 of a checkout that a crash (or a neighbour that is down) left to
// recovery: it names the saga as the missing dependency, so a caller's breaker does not count
// it as this service failing (the service answered, promptly and on purpose)
function interrupted(detail: string): DomainError {
  const e = unavailable(detail)
  e.dependency = 'checkout-recovery'
  return e
}

function stillRunning(retryAfterS: number): DomainError {
  return conflict('a checkout with this Idempotency-Key is still running', { retryAfterS })
}

// recordCapture appends PaymentCaptured to the order unless it is already there
async function recordCapture(
  orders: Orders,
  payments: Payments,
  orderId: string,
  row: Row,
  known?: { version: number; payment: Payment },
): Promise<void> {
  if (known) {
    // the live attempt knows the order's version and the payment: append without looking
    const { payment } = known
    try {
      await orders.append(orderId, known.version, [
        {
          type: 'PaymentCaptured',
          data: { orderId, paymentId: payment.id, amount: payment.amount },
        },
      ])
      return
    } catch (error) {
      if (!isKind(error, 'conflict')) throw error
    }
  }
  for (let i = 0; i < 3; i++) {
    const order = await orders.order(orderId)
    if (!order) {
      // captured but never placed cannot happen (place comes first); place it to be whole
      const payment = await payments.payment(orderId)
      await orders.place({
        orderId,
        userId: row.userId,
        items: row.lines as OrderLine[],
        total: row.total as Money,
        paymentId: payment?.id ?? orderId,
        reservationId: orderId,
        shippingQuoteId: (row.quote as Quote | null)?.id ?? orderId,
      })
      continue
    }
    if (order.status !== 'confirmed') return
    const payment = await payments.payment(orderId)
    if (!payment) throw unavailable(`payment ${orderId} not found`)
    try {
      await orders.append(orderId, order.version, [
        {
          type: 'PaymentCaptured',
          data: { orderId, paymentId: payment.id, amount: payment.amount },
        },
      ])
      return
    } catch (error) {
      // someone appended meanwhile (another recovery): look again
      if (!isKind(error, 'conflict')) throw error
    }
  }
}

// cancelIfPlaced cancels an order a compensated checkout may have placed
async function cancelIfPlaced(orders: Orders, orderId: string, userId: string): Promise<void> {
  const order = await orders.order(orderId)
  if (order && order.status !== 'cancelled') await orders.cancel(orderId, userId)
}

// orderIdFor derives an order id from (user, key, attempt) as a name-based (v5-style) UUID, so
// a re-run of the same attempt finds the order, reservation and payment it already made
export function orderIdFor(userId: string, key: string, attempt = 1): string {
  const name = attempt === 1 ? `${userId}\n${key}` : `${userId}\n${key}\n${attempt}`
  const h = createHash('sha1').update(NAMESPACE).update(name).digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
}

// fingerprintOf binds a key to its request: the merged basket and the card (only its last four
// digits and expiry: a full card number is never kept, even hashed)
function fingerprintOf(input: CheckoutInput): string {
  const items = mergeLines(input.items).sort((a, b) => a.productId.localeCompare(b.productId))
  const card = { last4: input.card.number.slice(-4), expiry: input.card.expiry }
  return createHash('sha256').update(JSON.stringify({ items, card })).digest('hex')
}

// attempt runs a step so that even a synchronous throw becomes a rejected promise
const attempt = async <T>(fn: () => Promise<T>): Promise<T> => fn()

const isKind = (e: unknown, kind: ErrorKind) => e instanceof DomainError && e.kind === kind

// mostMeaningful picks the error to answer with when branches failed (non-DomainErrors last)
function mostMeaningful(errors: unknown[]): unknown {
  const rank = (e: unknown) =>
    e instanceof SagaCrash ? -1 : e instanceof DomainError ? RANK.indexOf(e.kind) : RANK.length
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
