import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// products is the catalog's own table
export const products = sqliteTable(
  'catalog_products',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    category: text('category').notNull(),
  },
  (t) => [index('catalog_products_category').on(t.category)],
)
