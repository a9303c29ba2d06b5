import { index, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// notifications are the messages sent to customers, one per (kind, ref)
export const notifications = sqliteTable(
  'notifications_notifications',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    // ref is what the notification is about (a payment id): the same ref is never sent twice
    ref: text('ref').notNull(),
    orderId: text('order_id').notNull(),
    userId: text('user_id').notNull(),
    to: text('to').notNull(),
    sentAt: text('sent_at').notNull(),
  },
  (t) => [
    uniqueIndex('notifications_notifications_kind_ref').on(t.kind, t.ref),
    index('notifications_notifications_user').on(t.userId, t.sentAt),
  ],
)
