import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// reviews are what customers say about products; read newest first per product
export const reviews = sqliteTable(
  'reviews_reviews',
  {
    id: text('id').primaryKey(),
    productId: text('product_id').notNull(),
    userId: text('user_id').notNull(),
    rating: integer('rating').notNull(),
    text: text('text').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('reviews_reviews_product_created').on(t.productId, t.createdAt)],
)
