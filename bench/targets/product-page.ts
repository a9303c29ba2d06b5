// The ceiling for the product page on this stack: one plain Hono route running the product
// page's five queries as prepared bun:sqlite statements on the monolith's own database file,
// the same data (`PORT=… DB_PATH=<monolith.db> [SNAPSHOT=1] bun bench/targets/product-page.ts`). No
// middleware, no modules, no metrics: what is left when everything but the work is taken away
import { Database } from 'bun:sqlite'
import { Hono } from 'hono'
import { productPage } from './product-queries.ts'

const path = process.env.DB_PATH
if (!path) throw new Error('DB_PATH must name the monolith database file')
// the monolith owns and writes the file; this process only reads it
const db = new Database(path, { create: false, strict: true })
db.run('PRAGMA busy_timeout = 5000')
// SNAPSHOT=1 reads each page's five statements in one read transaction, as the monolith reads
// its page (Database.readTogether): the stricter reference, with that advantage taken away
const page = productPage(db, process.env.SNAPSHOT === '1')

const app = new Hono()
  .get('/_/health', (c) => c.json({ status: 'ok', service: 'product-page' }))
  .get('/api/products/:id', (c) => {
    const body = page(c.req.param('id'))
    if (body === null) return c.json({ title: 'not found' }, 404)
    return c.body(body, 200, { 'Content-Type': 'application/json' })
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
