import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { type PaymentCaptured, Topics } from '../../contracts/events.ts'
import type { AuthorizeInput, Payment, Payments } from '../../contracts/payments.ts'
import { conflict, DomainError, notFound, refused } from '../../domain/errors.ts'
import { cents, money } from '../../domain/money.ts'
import { checkCard } from '../../domain/payment.ts'
import type { Outbox } from '../../platform/bus/outbox.ts'
import { type Db, nowIso, type Tx, write } from '../../platform/db/index.ts'
import { payments } from './schema.ts'

// the largest amount one authorisation may carry, in cents (a demo shop, not a bank)
const MAX_CENTS = 100_000_000

type Row = typeof payments.$inferSelect

// PaymentsService authorises cards by the demo rules, captures (publishing PaymentCaptured on
// topic payments in the same transaction) and voids; a reference authorises at most once
export class PaymentsService implements Payments {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
  ) {}

  async authorize(input: AuthorizeInput): Promise<Payment> {
    const amountCents = checkedCents(input.amount)
    const verdict = checkCard(input.card, new Date())
    return write(this.db, (tx) => {
      const existing = byReference(tx, input.reference)
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
      }
      tx.insert(payments).values(row).run()
      return view(row)
    })
  }

  async capture(paymentId: string, orderId: string): Promise<Payment> {
    return write(this.db, (tx) => {
      const row = byId(tx, paymentId)
      if (row.status === 'captured') {
        if (row.orderId !== orderId) throw conflict('payment was captured for another order')
        return view(row)
      }
      if (row.status === 'voided') throw conflict('a voided payment cannot be captured')
      const next = { ...row, status: 'captured' as const, orderId }
      tx.update(payments).set({ status: next.status, orderId }).where(eq(payments.id, row.id)).run()
      const event: PaymentCaptured = {
        paymentId: row.id,
        orderId,
        userId: row.userId,
        email: row.email,
        amount: money(row.amountCents, row.currency),
      }
      this.outbox.add(tx, Topics.payments, 'PaymentCaptured', event)
      return view(next)
    })
  }

  async void(paymentId: string): Promise<Payment> {
    return write(this.db, (tx) => {
      const row = byId(tx, paymentId)
      if (row.status === 'voided') return view(row)
      if (row.status === 'captured') throw conflict('a captured payment cannot be voided')
      tx.update(payments).set({ status: 'voided' }).where(eq(payments.id, row.id)).run()
      return view({ ...row, status: 'voided' })
    })
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

const byReference = (tx: Tx, reference: string) =>
  tx.select().from(payments).where(eq(payments.reference, reference)).get()

function byId(tx: Tx, id: string): Row {
  const row = tx.select().from(payments).where(eq(payments.id, id)).get()
  if (!row) throw notFound('payment')
  return row
}

// view is the contract's shape of a stored payment
const view = (r: Row): Payment => ({
  id: r.id,
  reference: r.reference,
  orderId: r.orderId,
  amount: money(r.amountCents, r.currency),
  status: r.status,
})
