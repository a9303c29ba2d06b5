// The ceiling for the product page on this stack: one plain Hono route running the product
// page's five queries as prepared bun:sqlite statements on the monolith's own database file,
// the same data (`PORT=… DB_PATH=<monolith.db> bun bench/targets/product-page.ts`). No
// middleware, no modules, no metrics: what is left when everything but the work is taken away
import { Database } from 'bun:sqlite'
import { Hono } from 'hono'

const path = process.env.DB_PATH
if (!path) throw new Error('DB_PATH must name the monolith database file')
// the monolith owns and writes the file; this process only reads it
const db = new Database(path, { create: false, strict: true })
db.run('PRAGMA busy_timeout = 5000')
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

type Row = Record<string, any>
const app = new Hono()
  .get('/_/health', (c) => c.json({ status: 'ok', service: 'product-page' }))
  .get('/api/products/:id', (c) => {
    const id = c.req.param('id')
    const p = product.get(id) as Row | null
    if (!p) return c.json({ title: 'not found' }, 404)
    const pr = price.get(id) as Row | null
    const s = stats.get(id) as Row
    const st = stock.get(id) as Row | null
    return c.json({
      ...p,
      price: pr ? { amount: pr.cents / 100, currency: pr.currency } : null,
      rating: { average: Math.round((s.average ?? 0) * 100) / 100, count: s.count },
      reviews: newest.all(id),
      stock: st ? { available: st.available } : null,
      degraded: [],
    })
  })
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  fetch: app.fetch,
})
console.log(`product-page listening on ${server.url}`)
process.on('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
