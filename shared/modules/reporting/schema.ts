import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// OrderRowStatus is what the read model needs to know of an order: counted in the sales or not
export type OrderRowStatus = 'placed' | 'confirmed' | 'cancelled'

// ReportLine is one order line as the read model keeps it
export interface ReportLine {
  productId: string
  name: string
  quantity: number
  unitCents: number
}

// reportOrders remembers each order seen, so confirmations and cancellations can be counted
export const reportOrders = sqliteTable(
  'report_orders',
  {
    orderId: text('order_id').primaryKey(),
    userId: text('user_id').notNull(),
    day: text('day').notNull(),
    totalCents: integer('total_cents').notNull(),
    currency: text('currency').notNull(),
    status: text('status').$type<OrderRowStatus>().notNull(),
    items: text('items', { mode: 'json' }).$type<ReportLine[]>().notNull(),
  },
  (t) => [index('report_orders_day').on(t.day)],
)

// reportDaily holds the confirmed sales per day (the day the order was placed)
export const reportDaily = sqliteTable('report_daily', {
  day: text('day').primaryKey(),
  orders: integer('orders').notNull(),
  revenueCents: integer('revenue_cents').notNull(),
})

// reportProducts holds units and revenue per product over every confirmed sale
export const reportProducts = sqliteTable(
  'report_products',
  {
    productId: text('product_id').primaryKey(),
    name: text('name').notNull(),
    units: integer('units').notNull(),
    revenueCents: integer('revenue_cents').notNull(),
  },
  (t) => [index('report_products_units').on(t.units)],
)

// reportMeta holds facts about the read model itself, such as asOf
export const reportMeta = sqliteTable('report_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

// reportEarly remembers confirmations and cancellations that arrived before their order's
// OrderPlaced (the queue may redeliver out of order), so the fold counts them once it comes
export const reportEarly = sqliteTable('report_early', {
  orderId: text('order_id').primaryKey(),
  confirmed: integer('confirmed', { mode: 'boolean' }).notNull(),
  cancelled: integer('cancelled', { mode: 'boolean' }).notNull(),
})
