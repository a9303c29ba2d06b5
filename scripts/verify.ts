// npm run verify -- --deployment micro|monolith --duration 60 --kill-every 3 --seed 1 [--json out.json]
//
// The project's own Jepsen-style checker. It starts a deployment on fresh data (a temp dir, free
// ports), runs checkouts (each with an Idempotency-Key; several demo users; quantities 1–3; a
// PRNG from the seed) and product reads from concurrent clients while it SIGKILLs random
// processes (micro: any service, sometimes several at once, restarted by the supervisor;
// monolith: the process, restarted by its keeper as an operator's would be). Then it stops
// killing, lets the deployment recover, replays every checkout that got no definite answer with
// its own key and body, waits for the queues to drain and the reservations to settle, and
// reconciles (scripts/verify-reconcile.ts). It prints one row per invariant, writes JSON, and
// exits 1 on any violation.
//
// What it reads: the public API wherever it has a view (order lists, notifications, the sales
// report, each order), and, read-only after the deployment stopped, the SQLite files for what
// the API does not show: stock on hand and reserved, captured payments, the full order store,
// unsent outbox rows and dead letters.
import { Database } from 'bun:sqlite'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ADMIN, CARD, demoUser, login, status } from '../bench/api.ts'
import {
  allHealthy,
  freePortBlock,
  type Running,
  startMicro,
  startMonolith,
  stopEverything,
} from '../bench/deploy.ts'
import { processTree } from '../bench/procfs.ts'
import { productId, Rng, SEED_PRODUCTS } from '../shared/domain/prng.ts'
import { freePort } from '../shared/testing/process.ts'
import {
  type Capture,
  type CheckoutRecord,
  type Invariant,
  type Line,
  type NotificationSeen,
  type Observed,
  type Outcome,
  reconcile,
  renderTable,
  type StockRow,
  type StoredOrder,
  totalViolations,
  type UserHistory,
} from './verify-reconcile.ts'

// VerifyOptions is one run of the checker
export interface VerifyOptions {
  deployment: 'micro' | 'monolith'
  durationS: number
  killEveryS: number
  seed: number
  clients: number
  users: number
  // how long to wait, once idle, for reservations to return to 0
  settleS: number
  json?: string
  log?: (msg: string) => void
}

// VerifyResult is what a run found (also the JSON it writes)
export interface VerifyResult {
  deployment: string
  seed: number
  durationS: number
  killEveryS: number
  clients: number
  users: number
  counts: Record<string, number>
  reads: Record<string, number>
  kills: { atMs: number; targets: string[] }[]
  notes: string[]
  invariants: Invariant[]
  violations: number
}

// files holding each module's tables, per deployment
const FILES = {
  monolith: {
    orders: 'monolith.db',
    inventory: 'monolith.db',
    payments: 'monolith.db',
    notifications: 'monolith.db',
  },
  micro: {
    orders: 'users-orders.db',
    inventory: 'inventory.db',
    payments: 'payments.db',
    notifications: 'notifications.db',
  },
} as const
const QUEUE_FILE = 'queue.db'
// services on the checkout and messaging path are killed more often than the others
const HOT = new Set(['orders', 'payments', 'inventory', 'notifications', 'reporting', 'users'])

const json = { 'Content-Type': 'application/json' }

// Answer is one attempt's outcome as a client sees it
type Answer = { status: string; outcome: Outcome; orderId?: string; totalCents?: number }

// classify turns one HTTP answer into an outcome: only a definite answer ends a key
async function classify(res: Response): Promise<Answer> {
  const status = String(res.status)
  const body = (await res.json().catch(() => null)) as Record<string, any> | null
  if (res.status === 201 && typeof body?.orderId === 'string') {
    const totalCents = Math.round(Number(body.total?.amount ?? 0) * 100)
    return { status, outcome: 'acked', orderId: body.orderId, totalCents }
  }
  if (res.status === 422) return { status, outcome: 'client-fault' }
  // 409 for a checkout still running under this key (Retry-After) is no answer yet; any other
  // 409 (out of stock) is a definite refusal
  if (res.status === 409) {
    const running = res.headers.has('retry-after') || /still running/i.test(String(body?.detail))
    return {
      status: running ? '409-running' : status,
      outcome: running ? 'indeterminate' : 'refused',
    }
  }
  if (res.status >= 500 || res.status === 429 || res.status === 201)
    return { status, outcome: 'indeterminate' }
  return { status, outcome: 'refused' }
}

// Client sends the checker's requests to one deployment
class Client {
  constructor(readonly base: string) {}

  // checkout sends one attempt of a key; a network error or timeout is no answer
  async checkout(token: string, key: string, items: Line[]): Promise<Answer> {
    try {
      const res = await fetch(`${this.base}/api/checkout`, {
        method: 'POST',
        headers: { ...json, Authorization: `Bearer ${token}`, 'Idempotency-Key': key },
        body: JSON.stringify({ items, card: CARD }),
        signal: AbortSignal.timeout(15_000),
      })
      return await classify(res)
    } catch {
      return { status: 'net', outcome: 'indeterminate' }
    }
  }

  async get(path: string, token?: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.base}${path}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(15_000),
    })
    return { status: res.status, body: await res.json().catch(() => null) }
  }

  // getOk reads a JSON view, retrying briefly: the deployment has just been through a storm
  async getOk(path: string, token?: string): Promise<any> {
    let last = ''
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const r = await this.get(path, token)
        if (r.status === 200) return r.body
        last = `status ${r.status}`
      } catch (error) {
        last = String(error)
      }
      await Bun.sleep(250)
    }
    throw new Error(`GET ${path}: ${last}`)
  }
}

// waitFor polls a condition until it holds or the cap is over; false when it never held
async function waitFor(cond: () => Promise<boolean> | boolean, capMs: number): Promise<boolean> {
  const deadline = Date.now() + capMs
  for (;;) {
    try {
      if (await cond()) return true
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) return false
    await Bun.sleep(250)
  }
}

// readOnly opens a SQLite file without writing to it (not even a WAL checkpoint)
function readOnly<T>(path: string, fn: (db: Database) => T): T {
  const db = new Database(path, { readonly: true })
  try {
    return fn(db)
  } finally {
    db.close()
  }
}

const hasTable = (db: Database, name: string) =>
  db.query('SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?').get('table', name) !== null

// readStock reads every product's stock from the inventory file
function readStock(path: string): Map<string, { onHand: number; reserved: number }> {
  return readOnly(path, (db) => {
    const rows = db
      .query('SELECT product_id AS id, on_hand AS onHand, reserved FROM inventory_stock')
      .all() as { id: string; onHand: number; reserved: number }[]
    return new Map(rows.map((r) => [r.id, { onHand: r.onHand, reserved: r.reserved }]))
  })
}

// STATUS_OF says what an order event does to the order's status (others leave it)
const STATUS_OF: Record<string, string> = {
  OrderPlaced: 'placed',
  OrderConfirmed: 'confirmed',
  PaymentCaptured: 'paid',
  OrderShipped: 'shipped',
  OrderCancelled: 'cancelled',
}

// readOrders folds the whole order event store into one row per order
function readOrders(path: string): StoredOrder[] {
  return readOnly(path, (db) => {
    const events = db
      .query('SELECT order_id AS id, type, data FROM orders_events ORDER BY position')
      .all() as { id: string; type: string; data: string }[]
    const orders = new Map<string, StoredOrder>()
    for (const e of events) {
      const data = JSON.parse(e.data) as Record<string, any>
      if (e.type === 'OrderPlaced') {
        orders.set(e.id, {
          id: e.id,
          userId: String(data.userId),
          status: 'placed',
          totalCents: Math.round(Number(data.total?.amount ?? 0) * 100),
          items: (data.items as Line[]).map((i) => ({
            productId: i.productId,
            quantity: i.quantity,
          })),
        })
        continue
      }
      const order = orders.get(e.id)
      const next = STATUS_OF[e.type]
      if (order && next) order.status = next
    }
    return [...orders.values()]
  })
}

// readCaptures reads every payment and what became of it
function readCaptures(path: string): Capture[] {
  return readOnly(path, (db) =>
    (
      db.query('SELECT * FROM payments_payments').all() as {
        id: string
        order_id: string | null
        reference: string | null
        status: string
      }[]
    ).map((p) => ({ paymentId: p.id, orderId: p.order_id ?? p.reference, status: p.status })),
  )
}

// readBacklog counts what messaging still holds in the files: unsent outbox rows, dead
// letters, and (micro) undelivered or dead queue deliveries
function readBacklog(dir: string): { pending: number; deadLettered: number } {
  let pending = 0
  let deadLettered = 0
  for (const file of new Set([
    'monolith.db',
    'users-orders.db',
    'payments.db',
    'notifications.db',
    'reporting.db',
  ])) {
    const path = join(dir, file)
    if (!existsSync(path)) continue
    readOnly(path, (db) => {
      if (hasTable(db, 'outbox'))
        pending += (
          db.query('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }
        ).n
      if (hasTable(db, 'dead_letters'))
        deadLettered += (db.query('SELECT count(*) AS n FROM dead_letters').get() as { n: number })
          .n
    })
  }
  const queue = join(dir, QUEUE_FILE)
  if (existsSync(queue)) {
    readOnly(queue, (db) => {
      const r = db
        .query(
          `SELECT coalesce(SUM(state IN ('pending', 'leased')), 0) AS pending,
                  coalesce(SUM(state = 'dead'), 0) AS dead FROM queue_deliveries`,
        )
        .get() as { pending: number; dead: number }
      pending += r.pending
      deadLettered += r.dead
    })
  }
  return { pending, deadLettered }
}

// startDeployment starts the deployment on fresh data, restarted on crashes as in production
async function startDeployment(o: VerifyOptions, dataDir: string): Promise<Running> {
  if (o.deployment === 'monolith')
    return startMonolith({ dataDir, port: freePort(), keeper: true, label: 'verify-monolith' })
  return startMicro({ dataDir, base: freePortBlock(), label: 'verify-micro' })
}

// victims lists the processes a kill may hit: micro services' replicas (never the supervisor
// with the gateway), or the monolith process under its keeper; only pids of our own tree
async function victims(
  o: VerifyOptions,
  running: Running,
): Promise<{ name: string; pid: number }[]> {
  const ours = new Set(processTree(running.proc.pid))
  if (o.deployment === 'monolith') {
    return [...ours]
      .filter((pid) => pid !== running.proc.pid)
      .map((pid) => ({ name: 'monolith', pid }))
  }
  const s = await status(running.url)
  return (s?.services ?? [])
    .filter((x) => x.pid !== null && ours.has(x.pid) && x.pid !== running.proc.pid)
    .map((x) => ({ name: `${x.name}#${x.replica ?? 0}`, pid: x.pid! }))
}

// runVerify runs the checker once and returns what it found
export async function runVerify(o: VerifyOptions): Promise<VerifyResult> {
  const log = o.log ?? ((m: string) => console.error(m))
  const dataDir = mkdtempSync(join(tmpdir(), `twinstack-verify-${o.deployment}-`))
  const files = FILES[o.deployment]
  const notes: string[] = []
  const counts: Record<string, number> = {}
  const bump = (k: string, n = 1) => {
    counts[k] = (counts[k] ?? 0) + n
  }
  const reads: Record<string, number> = {}
  const kills: VerifyResult['kills'] = []
  let running: Running | null = null
  try {
    log(`verify: starting ${o.deployment} in ${dataDir}`)
    running = await startDeployment(o, dataDir)
    const api = new Client(running.url)
    const initial = readStock(join(dataDir, files.inventory))
    const admin = (await login(running.url, ADMIN)).token
    const users: { token: string; userId: string }[] = []
    for (let n = 1; n <= o.users; n++) users.push(await login(running.url, demoUser(n)))

    const records: (CheckoutRecord & { token: string })[] = []
    const started = Date.now()
    const endAt = started + o.durationS * 1000
    log(`verify: ${o.clients} clients for ${o.durationS} s, a kill every ${o.killEveryS} s`)

    // a client: checkouts and product reads; after no answer it pauses as a real client would
    const client = async (w: number) => {
      const rng = new Rng(o.seed * 7919 + w)
      for (let i = 0; Date.now() < endAt; i++) {
        if (rng.next() < 0.4) {
          const id = productId(rng.int(1, SEED_PRODUCTS))
          const r = await api.get(`/api/products/${id}`).catch(() => ({ status: 0 }))
          reads[r.status] = (reads[r.status] ?? 0) + 1
          continue
        }
        const user = users[rng.int(0, users.length - 1)]!
        const wanted = new Map<string, number>()
        for (let l = rng.int(1, 2); l > 0; l--) {
          const p = productId(rng.int(1, SEED_PRODUCTS))
          wanted.set(p, (wanted.get(p) ?? 0) + rng.int(1, 3))
        }
        const items = [...wanted].map(([productId, quantity]) => ({ productId, quantity }))
        const record = {
          key: `verify-${o.seed}-${w}-${i}`,
          userId: user.userId,
          token: user.token,
          items,
          outcome: 'indeterminate' as Outcome,
          orderIds: [] as string[],
          totalCents: null as number | null,
          attempts: [] as string[],
        }
        records.push(record)
        const answer = await api.checkout(user.token, record.key, items)
        settle(record, answer)
        if (answer.outcome === 'indeterminate') await Bun.sleep(100 + rng.int(0, 200))
      }
    }
    const settle = (r: CheckoutRecord, a: Answer) => {
      r.attempts.push(a.status)
      r.outcome = a.outcome
      if (a.orderId) {
        r.orderIds.push(a.orderId)
        r.totalCents = a.totalCents ?? null
      }
    }

    // the killer: SIGKILL one to three random processes every killEvery seconds
    const killer = async () => {
      const rng = new Rng(o.seed * 104_729)
      for (let t = 1; ; t++) {
        const at = started + t * o.killEveryS * 1000
        if (at >= endAt) return
        await Bun.sleep(at - Date.now())
        const all = await victims(o, running!).catch(() => [])
        if (all.length === 0) continue
        const weighted = all.flatMap((v) => (HOT.has(v.name.split('#')[0]!) ? [v, v, v] : [v]))
        const r = rng.next()
        const k = o.deployment === 'monolith' ? 1 : r < 0.6 ? 1 : r < 0.9 ? 2 : 3
        const chosen = new Map<number, string>()
        for (let tries = 0; chosen.size < Math.min(k, all.length) && tries < 50; tries++) {
          const v = rng.pick(weighted)
          chosen.set(v.pid, v.name)
        }
        for (const pid of chosen.keys()) {
          try {
            process.kill(pid, 'SIGKILL')
          } catch {
            // it died on its own meanwhile
          }
        }
        kills.push({ atMs: Date.now() - started, targets: [...chosen.values()] })
      }
    }

    await Promise.all([...Array.from({ length: o.clients }, (_, w) => client(w)), killer()])
    bump('checkouts', records.length)
    bump('indeterminate before replay', records.filter((r) => r.outcome === 'indeterminate').length)
    log(`verify: load done (${records.length} checkouts, ${kills.length} kills), recovering`)

    // recovery: every process back and healthy
    const healthy = await waitFor(
      async () =>
        o.deployment === 'micro'
          ? allHealthy(running!.url)
          : (await fetch(`${running!.url}/_/health`)).ok,
      90_000,
    )
    if (!healthy) notes.push('the deployment was not all healthy 90 s after the last kill')

    // replay every key without a definite answer, with its own key and body, until it has one
    for (let round = 0; round < 40; round++) {
      const open = records.filter((r) => r.outcome === 'indeterminate')
      if (open.length === 0) break
      if (round > 0) await Bun.sleep(Math.min(2000, 250 * round))
      for (let i = 0; i < open.length; i += 8) {
        await Promise.all(
          open.slice(i, i + 8).map(async (r) => {
            settle(r, await api.checkout(r.token, r.key, r.items))
            bump('replayed')
          }),
        )
      }
    }

    log(
      `verify: replayed; ${records.filter((r) => r.outcome === 'indeterminate').length} keys still open, draining`,
    )
    // quiet: the queues drained (three looks in a row) and nothing reserved any more
    let quiet = 0
    const drained = await waitFor(async () => {
      const s = await status(running!.url)
      quiet = s?.queues.every((q) => q.pending === 0) ? quiet + 1 : 0
      return quiet >= 3
    }, 60_000)
    if (!drained) notes.push('queues still held messages 60 s after the replay')
    const settled = await waitFor(
      () => [...readStock(join(dataDir, files.inventory)).values()].every((s) => s.reserved === 0),
      o.settleS * 1000,
    )
    if (!settled) notes.push(`stock still reserved ${o.settleS} s after the queues drained`)

    log('verify: idle, reading what the deployment holds')
    // a sample of acknowledged keys sent once more must name the same order
    const acked = records.filter((r) => r.outcome === 'acked')
    const repeats: Observed['repeats'] = []
    for (const r of acked.filter((_, i) => i % Math.max(1, Math.ceil(acked.length / 40)) === 0)) {
      const a = await api.checkout(r.token, r.key, r.items)
      repeats.push({ key: r.key, orderId: a.orderId ?? null, status: a.status })
    }

    // what the public API shows: notifications and order lists (paged), the sales report
    const notifications: NotificationSeen[] = []
    const unlisted: string[] = []
    for (const u of users) {
      let cursor: string | null = null
      do {
        const q: string = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
        const page = await api.getOk(`/api/notifications${q}`, u.token)
        for (const n of page.items)
          notifications.push({ userId: u.userId, orderId: n.orderId, kind: n.kind })
        cursor = page.nextCursor ?? null
        // no cursor offered and a full page: the list hides older ones (a deployment without
        // paging): read that user's from the file instead
        if (!('nextCursor' in page) && page.items.length >= 50) unlisted.push(u.userId)
      } while (cursor)
    }
    const listed = new Map<string, string[] | null>()
    for (const u of users) {
      const ids: string[] = []
      let cursor: string | null = null
      let complete = true
      do {
        const q: string = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
        const page = await api.getOk(`/api/users/${u.userId}/orders${q}`, admin)
        ids.push(...(page.items as { id: string }[]).map((x) => x.id))
        cursor = page.nextCursor ?? null
        // no cursor offered and a full page: the list hides older orders
        if (!('nextCursor' in page) && page.items.length >= 100) complete = false
      } while (cursor)
      listed.set(u.userId, complete ? ids : null)
    }
    const hidden = [...listed.values()].filter((v) => v === null).length
    if (hidden > 0)
      notes.push(
        `GET /api/users/:id/orders shows only the newest 100 and offers no cursor: ${hidden} user histories were read from the order store (SQLite) instead`,
      )
    const sales = await api.getOk('/api/reports/sales', admin)
    const report = { orders: sales.orders, revenueCents: Math.round(sales.revenue.amount * 100) }

    // the deployment stops; what the API has no view of is read from its files
    await running.stop()
    running = null
    const orders = readOrders(join(dataDir, files.orders))
    const stockNow = readStock(join(dataDir, files.inventory))
    const stock: StockRow[] = [...initial].map(([id, s]) => ({
      productId: id,
      initial: s.onHand,
      onHand: stockNow.get(id)?.onHand ?? 0,
      reserved: stockNow.get(id)?.reserved ?? 0,
    }))
    const histories: UserHistory[] = users.map((u) => {
      const ids = listed.get(u.userId)
      return ids
        ? { userId: u.userId, orderIds: ids, source: 'api' }
        : {
            userId: u.userId,
            orderIds: orders.filter((x) => x.userId === u.userId).map((x) => x.id),
            source: 'sqlite',
          }
    })
    if (unlisted.length > 0) {
      notes.push(
        `GET /api/notifications offers no cursor: ${unlisted.length} users' notifications were read from SQLite`,
      )
      const path = join(dataDir, files.notifications)
      const fromFile = readOnly(path, (db) =>
        db
          .query(
            'SELECT user_id AS userId, order_id AS orderId, kind FROM notifications_notifications',
          )
          .all(),
      ) as NotificationSeen[]
      const skip = new Set(unlisted)
      notifications.splice(
        0,
        notifications.length,
        ...notifications.filter((n) => !skip.has(n.userId)),
      )
      notifications.push(...fromFile.filter((n) => skip.has(n.userId)))
    }
    const observed: Observed = {
      checkouts: records.map(({ token: _t, ...r }) => r),
      orders,
      captures: readCaptures(join(dataDir, files.payments)),
      notifications,
      stock,
      report,
      histories,
      queues: readBacklog(dataDir),
      repeats,
    }
    for (const outcome of ['acked', 'refused', 'indeterminate', 'client-fault'] as const)
      bump(outcome, records.filter((r) => r.outcome === outcome).length)
    bump('kills', kills.length)
    bump(
      'processes killed',
      kills.reduce((n, k) => n + k.targets.length, 0),
    )
    bump('orders in the store', orders.length)
    const invariants = reconcile(observed)
    return {
      deployment: o.deployment,
      seed: o.seed,
      durationS: o.durationS,
      killEveryS: o.killEveryS,
      clients: o.clients,
      users: o.users,
      counts,
      reads,
      kills,
      notes,
      invariants,
      violations: totalViolations(invariants),
    }
  } finally {
    await running?.stop().catch(() => {})
    rmSync(dataDir, { recursive: true, force: true })
  }
}

// parseVerifyArgs reads the command line (node:util parseArgs)
export function parseVerifyArgs(argv: string[]): VerifyOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      deployment: { type: 'string', default: 'monolith' },
      duration: { type: 'string', default: '60' },
      'kill-every': { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      clients: { type: 'string', default: '10' },
      users: { type: 'string', default: '12' },
      settle: { type: 'string', default: '30' },
      json: { type: 'string' },
    },
    strict: true,
  })
  const num = (name: string, v: string | undefined, min: number, max: number) => {
    const n = Number(v)
    if (!Number.isFinite(n) || n < min || n > max)
      throw new Error(`--${name} must be a number from ${min} to ${max}`)
    return n
  }
  if (values.deployment !== 'micro' && values.deployment !== 'monolith')
    throw new Error('--deployment must be micro or monolith')
  return {
    deployment: values.deployment,
    durationS: num('duration', values.duration, 1, 3600),
    killEveryS: num('kill-every', values['kill-every'], 0.5, 3600),
    seed: Math.trunc(num('seed', values.seed, 0, 2 ** 31)),
    clients: Math.trunc(num('clients', values.clients, 1, 64)),
    users: Math.trunc(num('users', values.users, 1, 100)),
    settleS: num('settle', values.settle, 0, 600),
    json: values.json,
  }
}

// summary prints what a run did and found
export function summary(r: VerifyResult): string {
  const c = r.counts
  return [
    `verify ${r.deployment}, seed ${r.seed}, ${r.durationS} s, a kill every ${r.killEveryS} s: ` +
      `${c.checkouts ?? 0} checkouts (${c.acked ?? 0} acknowledged, ${c.refused ?? 0} refused, ` +
      `${c['indeterminate before replay'] ?? 0} without an answer before the replay, ` +
      `${c.replayed ?? 0} resends), ${Object.values(r.reads).reduce((a, b) => a + b, 0)} reads, ` +
      `${c.kills ?? 0} kills (${c['processes killed'] ?? 0} processes)`,
    '',
    renderTable(r.invariants),
    '',
    ...r.notes.map((n) => `note: ${n}`),
    r.violations === 0 ? 'OK: no violation' : `FAILED: ${r.violations} violation(s)`,
  ].join('\n')
}

if (import.meta.main) {
  // Ctrl-C stops what the run started, by pid
  process.on('SIGINT', () => void stopEverything().finally(() => process.exit(130)))
  let options: VerifyOptions
  try {
    options = parseVerifyArgs(process.argv.slice(2))
  } catch (error) {
    console.error(
      `${(error as Error).message}\nusage: npm run verify -- --deployment micro|monolith --duration 60 --kill-every 3 --seed 1 [--json out.json]`,
    )
    process.exit(2)
  }
  try {
    const result = await runVerify(options)
    console.log(summary(result))
    if (options.json) writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`)
    process.exit(result.violations === 0 ? 0 : 1)
  } catch (error) {
    console.error(`verify could not run: ${(error as Error).stack ?? error}`)
    process.exit(2)
  }
}
