import { randomUUID } from 'node:crypto'
import { and, eq, lt, sql } from 'drizzle-orm'
import { type PaymentCaptured, Topics } from '../../contracts/events.ts'
import type { AuthorizeInput, Payment, Payments } from '../../contracts/payments.ts'
import { conflict, DomainError, notFound, refused } from '../../domain/errors.ts'
import { cents, money } from '../../domain/money.ts'
import { checkCard } from '../../domain/payment.ts'
import type { Outbox } from '../../platform/bus/outbox.ts'
import { type Db, nowIso, type Tx, write } from '../../platform/db/index.ts'
import { Sweeper } from '../../platform/module.ts'
import { payments } from './schema.ts'

// the largest amount one authorisation may carry, in cents (a demo shop, not a bank)
const MAX_CENTS = 100_000_000

type Row = typeof payments.$inferSelect

// PaymentsOptions tunes authorisations: how long one lives uncaptured, how often to sweep
export interface PaymentsOptions {
  authorizationTtlMs?: number
  sweepEveryMs?: number
  log?: (msg: string) => void
}

// PaymentsService authorises cards by the demo rules, captures (publishing PaymentCaptured on
// topic payments in the same transaction), voids and refunds; a reference authorises at most
// once, every step is idempotent by reference, and lapsed authorisations are swept (voided)
export class PaymentsService implements Payments {
  private readonly ttlMs: number
  private readonly log: (msg: string) => void
  private readonly sweeper: Sweeper
  // every step looks its payment up by reference: compiled once
  private readonly paymentByRef

  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    opts: PaymentsOptions = {},
  ) {
    this.ttlMs = opts.authorizationTtlMs ?? 10 * 60_000
    this.log = opts.log ?? (() => {})
    this.sweeper = new Sweeper(
      'payments',
      opts.sweepEveryMs ?? 30_000,
      () => this.sweep(),
      this.log,
    )
    this.paymentByRef = db
      .select()
      .from(payments)
      .where(eq(payments.reference, sql.placeholder('ref')))
      .prepare()
  }

  // byReference reads a payment (inside a write, it sees that transaction's writes)
  private byReference(reference: string): Row | undefined {
    return this.paymentByRef.get({ ref: reference }) as Row | undefined
  }

  async authorize(input: AuthorizeInput): Promise<Payment> {
    const amountCents = checkedCents(input.amount)
    const verdict = checkCard(input.card, new Date())
    return write(this.db, (tx) => {
      const existing = this.byReference(input.reference)
      // a void that overtook this authorisation: answer it, hold nothing
      if (existing?.cardLast4 === '') return view(existing)
      if (existing) {
        // a repeated authorisation answers the first one; a different one under the same
        // reference is a client bug, not a retry
        const same =
          existing.amountCents === amountCents &&
          existing.currency === input.amount.currency &&
          existing.userId === input.userId
        if (!same) throw conflict(`reference ${input.reference} already authorised another payment`)
        return view(existing)
      }
      if (!verdict.approved) throw refused(verdict.reason, { reason: verdict.reason })
      const row: Row = {
        id: randomUUID(),
        reference: input.reference,
        orderId: null,
        userId: input.userId,
        email: input.email,
        amountCents,
        currency: input.amount.currency,
        status: 'authorized',
        cardLast4: verdict.last4,
        createdAt: nowIso(),
        expiresAt: Date.now() + this.ttlMs,
      }
      tx.insert(payments).values(row).run()
      return view(row)
    })
  }

  async capture(reference: string, orderId: string): Promise<Payment> {
    return write(this.db, (tx) => {
      const row = this.byReference(reference)
      if (!row) throw notFound('payment')
      if (row.status === 'captured' || row.status === 'refunded') {
        if (row.orderId !== orderId) throw conflict('payment was captured for another order')
        return view(row)
      }
      if (row.status === 'voided') {
        throw conflict('a voided payment cannot be captured', { paymentStatus: 'voided' })
      }
      const next = { ...row, status: 'captured' as const, orderId }
      tx.update(payments).set({ status: next.status, orderId }).where(eq(payments.id, row.id)).run()
      this.outbox.add(tx, Topics.payments, 'PaymentCaptured', eventOf(next))
      return view(next)
    })
  }

  async void(reference: string): Promise<Payment> {
    return write(this.db, (tx) => {
      const row = this.byReference(reference)
      if (!row) return tombstone(tx, reference)
      if (row.status === 'voided') return view(row)
      if (row.status !== 'authorized') {
        throw conflict('a captured payment cannot be voided', { paymentStatus: row.status })
      }
      return finish(tx, row, 'voided')
    })
  }

  async refund(reference: string): Promise<Payment> {
    return write(this.db, (tx) => {
      const row = this.byReference(reference)
      if (!row) return tombstone(tx, reference)
      if (row.status === 'authorized') return finish(tx, row, 'voided')
      if (row.status !== 'captured') return view(row)
      const next = finish(tx, row, 'refunded')
      this.outbox.add(
        tx,
        Topics.payments,
        'PaymentRefunded',
        eventOf({ ...row, orderId: row.orderId }),
      )
      return next
    })
  }

  async payment(reference: string): Promise<Payment | null> {
    const row = this.byReference(reference)
    return row ? view(row) : null
  }

  // sweep voids every authorisation whose time to live is over; answers how many
  sweep(now = Date.now()): number {
    const due = this.db
      .select()
      .from(payments)
      .where(and(eq(payments.status, 'authorized'), lt(payments.expiresAt, now)))
      .limit(500)
      .all()
    let n = 0
    for (const candidate of due) {
      n += write(this.db, (tx) => {
        // re-read inside the transaction: a capture may have come first
        const row = this.byReference(candidate.reference)
        if (row?.status !== 'authorized') return 0
        finish(tx, row, 'voided')
        return 1
      })
    }
    if (n > 0) this.log(`payments: voided ${n} lapsed authorisation(s)`)
    return n
  }

  // start sweeps now and then every sweepEveryMs; the answer stops it
  start(): () => void {
    return this.sweeper.start()
  }

  stop(): void {
    this.sweeper.stop()
  }
}

// checkedCents turns an amount into cents, refusing what no card could be charged
function checkedCents(amount: { amount: number; currency: string }): number {
  const c = cents(amount)
  if (!Number.isFinite(c) || c <= 0 || c > MAX_CENTS) {
    throw new DomainError('invalid', `amount must be between 0.01 and ${MAX_CENTS / 100}`)
  }
  if (!/^[A-Z]{3}$/.test(amount.currency)) {
    throw new DomainError('invalid', 'currency must be a three-letter ISO code')
  }
  return c
}

// tombstone records a reference voided before it was ever authorised (no card, no amount)
function tombstone(tx: Tx, reference: string): Payment {
  const row: Row = {
    id: randomUUID(),
    reference,
    orderId: null,
    userId: '',
    email: '',
    amountCents: 0,
    currency: 'EUR',
    status: 'voided',
    cardLast4: '',
    createdAt: nowIso(),
    expiresAt: 0,
  }
  tx.insert(payments).values(row).run()
  return view(row)
}

function finish(tx: Tx, row: Row, status: Row['status']): Payment {
  tx.update(payments).set({ status }).where(eq(payments.id, row.id)).run()
  return view({ ...row, status })
}

// eventOf is what PaymentCaptured and PaymentRefunded say about a payment
const eventOf = (row: Row): PaymentCaptured => ({
  paymentId: row.id,
  orderId: row.orderId ?? row.reference,
  userId: row.userId,
  email: row.email,
  amount: money(row.amountCents, row.currency),
})

// view is the contract's shape of a stored payment
const view = (r: Row): Payment => ({
  id: r.id,
  reference: r.reference,
  orderId: r.orderId,
  amount: money(r.amountCents, r.currency),
  status: r.status,
})
