import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// stock is what the warehouse holds per product; available = on_hand - reserved
export const stock = sqliteTable('inventory_stock', {
  productId: text('product_id').primaryKey(),
  onHand: integer('on_hand').notNull(),
  reserved: integer('reserved').notNull(),
})

// ReservedLine is one product held by a reservation
export type ReservedLine = { productId: string; quantity: number }

// reservations hold stock for an order; one per reference, so a repeated request holds once.
// A hold expires at expires_at (epoch ms) unless committed; the sweeper releases it then
export const reservations = sqliteTable(
  'inventory_reservations',
  {
    id: text('id').primaryKey(),
    reference: text('reference').notNull(),
    status: text('status', {
      enum: ['held', 'committed', 'released', 'expired', 'returned'],
    }).notNull(),
    items: text('items', { mode: 'json' }).$type<ReservedLine[]>().notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: integer('expires_at').notNull().default(0),
  },
  (t) => [
    uniqueIndex('inventory_reservations_reference').on(t.reference),
    index('inventory_reservations_status_expiry').on(t.status, t.expiresAt),
  ],
)
