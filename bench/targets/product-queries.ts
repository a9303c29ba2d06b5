// The product page's five queries as plain prepared bun:sqlite statements, and the page built
// from them: the reference route (product-page.ts) serves it, the cost ladder times it bare, and
// the bare split (bare-split.ts) runs each module's share in a process of its own
import type { Database } from 'bun:sqlite'

type Row = Record<string, any>

// ProductParts are the four modules' answers for one product, as plain values
export interface ProductParts {
  product: Row | null
  price: { amount: number; currency: string } | null
  summary: { average: number; count: number; latest: Row[] }
  stock: { available: number } | null
}

// productStatements prepares the five statements on db once and answers one function per
// module of the product page: catalog, pricing, reviews (two statements), inventory
export function productStatements(db: Database) {
  const product = db.prepare(
    'SELECT id, name, description, category FROM catalog_products WHERE id = ?',
  )
  const price = db.prepare(
    'SELECT amount_cents AS cents, currency FROM pricing_prices WHERE product_id = ?',
  )
  const stats = db.prepare(
    'SELECT avg(rating) AS average, count(*) AS count FROM reviews_reviews WHERE product_id = ?',
  )
  const newest = db.prepare(
    `SELECT id, product_id AS productId, user_id AS userId, rating, text, created_at AS createdAt
     FROM reviews_reviews WHERE product_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 5`,
  )
  const stock = db.prepare(
    'SELECT on_hand - reserved AS available FROM inventory_stock WHERE product_id = ?',
  )
  return {
    product: (id: string): ProductParts['product'] => product.get(id) as Row | null,
    price: (id: string): ProductParts['price'] => {
      const pr = price.get(id) as Row | null
      return pr ? { amount: pr.cents / 100, currency: pr.currency } : null
    },
    summary: (id: string): ProductParts['summary'] => {
      const s = stats.get(id) as Row
      return {
        average: Math.round((s.average ?? 0) * 100) / 100,
        count: s.count,
        latest: newest.all(id) as Row[],
      }
    },
    stock: (id: string): ProductParts['stock'] => {
      const st = stock.get(id) as Row | null
      return st ? { available: st.available } : null
    },
  }
}

// pageJson builds the product page's body from its four parts (null for an unknown product)
export function pageJson(parts: ProductParts): string | null {
  if (!parts.product) return null
  return JSON.stringify({
    ...parts.product,
    price: parts.price,
    rating: { average: parts.summary.average, count: parts.summary.count },
    reviews: parts.summary.latest,
    stock: parts.stock,
    degraded: [],
  })
}

// productPage prepares the statements on db once and answers a function building one page as
// JSON (null for an unknown product); with oneTransaction, each page's five statements run in one
// read transaction (as the monolith reads its page), else each is a transaction of its own
export function productPage(db: Database, oneTransaction = false): (id: string) => string | null {
  const q = productStatements(db)
  const page = (id: string) => {
    const product = q.product(id)
    if (!product) return null
    return pageJson({ product, price: q.price(id), summary: q.summary(id), stock: q.stock(id) })
  }
  if (!oneTransaction) return page
  const begin = db.prepare('BEGIN')
  const commit = db.prepare('COMMIT')
  return (id) => {
    begin.run()
    try {
      return page(id)
    } finally {
      commit.run()
    }
  }
}
