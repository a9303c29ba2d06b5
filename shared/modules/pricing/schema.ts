import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// prices are what each product costs now, in integer minor units
export const prices = sqliteTable('pricing_prices', {
  productId: text('product_id').primaryKey(),
  amountCents: integer('amount_cents').notNull(),
  currency: text('currency').notNull(),
})
