// The product page's five queries as plain prepared bun:sqlite statements, and the page built
// from them: the reference route (product-page.ts) serves it, the cost ladder times it bare
import type { Database } from 'bun:sqlite'

type Row = Record<string, any>

// productPage prepares the statements on db once and answers a function building one page as
// JSON (null for an unknown product)
export function productPage(db: Database): (id: string) => string | null {
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
  return (id) => {
    const p = product.get(id) as Row | null
    if (!p) return null
    const pr = price.get(id) as Row | null
    const s = stats.get(id) as Row
    const st = stock.get(id) as Row | null
    return JSON.stringify({
      ...p,
      price: pr ? { amount: pr.cents / 100, currency: pr.currency } : null,
      rating: { average: Math.round((s.average ?? 0) * 100) / 100, count: s.count },
      reviews: newest.all(id),
      stock: st ? { available: st.available } : null,
      degraded: [],
    })
  }
}
