// The ceiling for one framework route doing real work: a Hono route reading one row from SQLite
// by primary key (`PORT=… DB_PATH=… bun bench/targets/point-read.ts`), as the monolith's
// modules do: a WAL database file, a prepared statement
import { Database } from 'bun:sqlite'
import { rmSync } from 'node:fs'
import { Hono } from 'hono'

const path = process.env.DB_PATH ?? ':memory:'
if (path !== ':memory:')
  for (const s of ['', '-wal', '-shm']) rmSync(`${path}${s}`, { force: true })
const db = new Database(path, { create: true })
db.run('PRAGMA journal_mode = WAL')
db.run('CREATE TABLE products (id TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER)')
const insert = db.prepare('INSERT INTO products VALUES (?, ?, ?)')
db.transaction(() => {
  for (let i = 1; i <= 1000; i++) {
    const id = `p-${String(i).padStart(4, '0')}`
    insert.run(id, `Product ${i}`, 999 + i * 100)
  }
})()
const byId = db.prepare('SELECT id, name, price_cents AS priceCents FROM products WHERE id = ?')

const app = new Hono()
  .get('/_/health', (c) => c.json({ status: 'ok', service: 'hono-sqlite' }))
  .get('/products/:id', (c) => {
    const row = byId.get(c.req.param('id'))
    return row ? c.json(row) : c.json({ title: 'not found' }, 404)
  })
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  fetch: app.fetch,
})
console.log(`hono-sqlite listening on ${server.url}`)
process.on('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
