import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// payments are card authorisations and what became of them; only the last four digits of a
// card are kept
export const payments = sqliteTable(
  'payments_payments',
  {
    id: text('id').primaryKey(),
    reference: text('reference').notNull().unique(),
    orderId: text('order_id'),
    userId: text('user_id').notNull(),
    email: text('email').notNull(),
    amountCents: integer('amount_cents').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ['authorized', 'captured', 'voided', 'refunded'] }).notNull(),
    cardLast4: text('card_last4').notNull(),
    createdAt: text('created_at').notNull(),
    // an authorisation nobody captured lapses at expires_at (epoch ms); the sweeper voids it
    expiresAt: integer('expires_at').notNull().default(0),
  },
  (t) => [
    index('payments_payments_user').on(t.userId),
    index('payments_payments_status_expiry').on(t.status, t.expiresAt),
  ],
)
