import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// SagaState is where one checkout stands (see service.ts for the steps between them)
export type SagaState =
  | 'started'
  | 'reserving'
  | 'placing'
  | 'capturing'
  | 'captured'
  | 'done'
  | 'compensating'
  | 'failed'
  | 'cancelling'
  | 'cancelled'

// sagas is the checkout's log: one row per attempt at a checkout, keyed by its order id (also
// the reference of its reservation and payment), with enough to resume or compensate it after a
// crash. An Idempotency-Key's attempts share (user_id, key); its answer is the newest attempt's
export const sagas = sqliteTable(
  'checkout_sagas',
  {
    orderId: text('order_id').primaryKey(),
    userId: text('user_id').notNull(),
    // null for checkouts sent without an Idempotency-Key
    key: text('key'),
    attempt: integer('attempt').notNull(),
    fingerprint: text('fingerprint').notNull(),
    state: text('state').$type<SagaState>().notNull(),
    lines: text('lines', { mode: 'json' }).$type<unknown>(),
    total: text('total', { mode: 'json' }).$type<unknown>(),
    quote: text('quote', { mode: 'json' }).$type<unknown>(),
    // the answer of a done checkout, or the error of a failed one
    response: text('response', { mode: 'json' }).$type<unknown>(),
    // who drives the saga now, and until when; the recovery worker takes over a saga whose
    // lease ran out or whose owner stopped beating
    owner: text('owner').notNull(),
    leaseUntil: integer('lease_until').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('checkout_sagas_key').on(t.userId, t.key, t.attempt),
    index('checkout_sagas_state').on(t.state),
  ],
)

// owners are the checkout instances alive right now: each beats (alive_until moves on) while its
// process runs, so a saga whose owner stopped beating was left by a crash
export const owners = sqliteTable('checkout_owners', {
  owner: text('owner').primaryKey(),
  aliveUntil: integer('alive_until').notNull(),
})
