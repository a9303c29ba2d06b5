import { primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// idempotency remembers each (user, Idempotency-Key): pending while a checkout runs, then
// done with the response every repeat gets
export const idempotency = sqliteTable(
  'checkout_idempotency',
  {
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    state: text('state', { enum: ['pending', 'done'] }).notNull(),
    response: text('response', { mode: 'json' }).$type<unknown>(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
)
