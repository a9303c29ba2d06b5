import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// events is the order event store: position is the global append order, seq the order's version
export const events = sqliteTable(
  'orders_events',
  {
    position: integer('position').primaryKey({ autoIncrement: true }),
    orderId: text('order_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    data: text('data', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    occurredAt: text('occurred_at').notNull(),
  },
  (t) => [uniqueIndex('orders_events_order_seq').on(t.orderId, t.seq)],
)

// orderIndex finds a customer's orders without scanning the event store
export const orderIndex = sqliteTable(
  'orders_index',
  {
    orderId: text('order_id').primaryKey(),
    userId: text('user_id').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('orders_index_user').on(t.userId)],
)
