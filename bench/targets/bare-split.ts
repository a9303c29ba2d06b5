// The floor for the microservices' product page on this stack: the same five prepared queries as
// the reference route, split the way the microservices split them — catalog, pricing, reviews
// and inventory each in a process of its own, an aggregator calling the four at once, a proxy in
// front — with nothing but Bun.serve and fetch in between: no framework, no auth, no breaker, no
// metrics (`PORT=… DB_PATH=<monolith.db> bun bench/targets/bare-split.ts`). Six processes, five
// hops per page, as the microservices' product page, each over a unix domain socket as the
// microservices' hops between processes on one host go; what any split on Bun pays for the
// network before it does anything of its own.
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ProductParts, pageJson, productStatements } from './product-queries.ts'

const JSON_TYPE = { 'Content-Type': 'application/json' }
// each part is named as the service that serves it on the microservices (the bench's CPU per
// process lines them up), with the statement function it runs
const PARTS = {
  catalog: 'product',
  pricing: 'price',
  reviews: 'summary',
  inventory: 'stock',
} as const
type Part = keyof typeof PARTS
const LEAVES = Object.keys(PARTS) as Part[]
// a child's role is on its command line (--role=<name>), where the bench reads it
const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length) ?? 'gateway'
const port = Number(process.env.PORT ?? 0)

// the id at the end of a path: /<anything>/<id>
const idOf = (url: string) => decodeURIComponent(url.slice(url.lastIndexOf('/') + 1))

// a child listens on its port and, when SOCKET names one, on a unix socket too
function listen(fetch: (req: Request) => Response | Promise<Response>, p = port) {
  const unix = process.env.SOCKET ? Bun.serve({ unix: process.env.SOCKET, fetch }) : null
  const server = Bun.serve({ hostname: '127.0.0.1', port: p, fetch })
  console.log(`bare-split ${role} listening on ${server.url}`)
  process.on('SIGTERM', () => {
    unix?.stop(true)
    server.stop(true)
    process.exit(0)
  })
  return server
}

if ((LEAVES as readonly string[]).includes(role)) {
  // one module's share of the page, read from the monolith's file (read only)
  const path = process.env.DB_PATH
  if (!path) throw new Error('DB_PATH must name the monolith database file')
  const db = new Database(path, { create: false, strict: true })
  db.run('PRAGMA busy_timeout = 5000')
  const answer = productStatements(db)[PARTS[role as Part]]
  listen((req) => new Response(JSON.stringify(answer(idOf(req.url))), { headers: JSON_TYPE }))
} else if (role === 'storefront') {
  const urls = Object.fromEntries(LEAVES.map((l) => [l, process.env[`LEAF_${l.toUpperCase()}`]]))
  // each leaf's unix socket, when it has one (LEAF_<NAME>_SOCKET)
  const sockets = Object.fromEntries(
    LEAVES.map((l) => [l, process.env[`LEAF_${l.toUpperCase()}_SOCKET`] || undefined]),
  )
  // pointed at the microservices' own leaves (LEAF_CATALOG=<catalog>/internal/catalog/products
  // …), it carries their service token: the bench runs this aggregator over our leaves too
  const headers = process.env.SERVICE_TOKEN
    ? { 'X-Service-Token': process.env.SERVICE_TOKEN }
    : undefined
  const inits = Object.fromEntries(LEAVES.map((l) => [l, { headers, unix: sockets[l] }]))
  // Bun's fetch keeps at most 64 idle sockets a process: beyond that every call opens a new
  // connection, so each leaf gets a quarter of 60 calls in flight and the rest wait their turn
  // (what the microservices' links do too)
  const slots = Object.fromEntries(LEAVES.map((l) => [l, 15]))
  const waiting = Object.fromEntries(LEAVES.map((l) => [l, [] as (() => void)[]]))
  const part = async (leaf: Part, id: string) => {
    if (slots[leaf]! > 0) slots[leaf]!--
    else await new Promise<void>((resolve) => waiting[leaf]!.push(resolve))
    try {
      return await (await fetch(`${urls[leaf]}/${encodeURIComponent(id)}`, inits[leaf])).json()
    } finally {
      const next = waiting[leaf]!.shift()
      if (next) next()
      else slots[leaf]!++
    }
  }
  listen(async (req) => {
    const id = idOf(req.url)
    const [product, price, summary, stock] = await Promise.all(LEAVES.map((l) => part(l, id)))
    const body = pageJson({ product, price, summary, stock } as ProductParts)
    return body === null
      ? Response.json({ title: 'not found' }, { status: 404 })
      : new Response(body, { headers: JSON_TYPE })
  })
} else {
  // the front: starts the others, then forwards every request to the aggregator as a proxy
  const children: ReturnType<typeof Bun.spawn>[] = []
  const dir = mkdtempSync(join(tmpdir(), 'bare-split-'))
  const socketOf = (name: string) => join(dir, `${name}.sock`)
  const start = async (name: string, env: Record<string, string>) => {
    const child = Bun.spawn([process.execPath, import.meta.path, `--role=${name}`], {
      env: { ...process.env, ...env, PORT: '0', SOCKET: socketOf(name) },
      stdout: 'pipe',
      stderr: 'inherit',
    })
    children.push(child)
    const reader = (child.stdout as ReadableStream<Uint8Array>).getReader()
    let out = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) throw new Error(`bare-split ${name} exited before listening: ${out}`)
      out += new TextDecoder().decode(value)
      const m = out.match(/listening on (http:\/\/\S+?)\/?\s/)
      if (m) {
        reader.releaseLock()
        return m[1]!
      }
    }
  }
  const stopAll = () => {
    for (const c of children) c.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
  process.on('exit', stopAll)
  const leaves = await Promise.all(LEAVES.map((l) => start(l, {})))
  const aggregator = await start(
    'storefront',
    Object.fromEntries(
      LEAVES.flatMap((l, i) => [
        [`LEAF_${l.toUpperCase()}`, leaves[i]!],
        [`LEAF_${l.toUpperCase()}_SOCKET`, socketOf(l)],
      ]),
    ),
  )
  const toAggregator = { unix: socketOf('storefront') }
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port,
    fetch(req) {
      const url = req.url
      const path = url.slice(url.indexOf('/', url.indexOf('//') + 2))
      if (path === '/_/health') return Response.json({ status: 'ok', service: 'bare-split' })
      return fetch(`${aggregator}${path}`, { method: req.method, ...toAggregator })
    },
  })
  console.log(`bare-split listening on ${server.url}`)
  process.on('SIGTERM', () => {
    server.stop(true)
    stopAll()
    process.exit(0)
  })
}
