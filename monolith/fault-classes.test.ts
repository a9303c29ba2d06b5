import { afterAll, afterEach, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { deadLetters } from '../shared/platform/bus/schema.ts'
import { messaging } from '../shared/platform/config.ts'
import { CARD_OK } from '../shared/testing/api-suite.ts'
import { expectProblem, loginAt } from '../shared/testing/http.ts'
import { freePort, type Started, startProcess } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'
import { monolithApp } from './app.ts'
import { type Monolith, wireMonolith } from './wire.ts'

// The fault classes of issue 12 on the monolith, in this process: the faults meet calls into a
// module (here notifications, whose GET /api/notifications calls nothing else)
const json = { 'Content-Type': 'application/json' }
let dir = ''
let wired: Monolith
let server: ReturnType<typeof Bun.serve>
let url = ''
let admin = ''

const api = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, init)
const chaos = (action: string, body: Record<string, unknown>) =>
  api(`/_/chaos/${action}`, {
    method: 'POST',
    headers: { ...json, Authorization: `Bearer ${admin}` },
    body: JSON.stringify(body),
  })
const healAll = () => wired.faults.heal('all')
const notifications = (token: string) =>
  api('/api/notifications', { headers: { Authorization: `Bearer ${token}` } })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinstack-faults-'))
  wired = await wireMonolith({
    dbPath: join(dir, 'monolith.db'),
    jwtSecret: 'fault-classes-test-secret-0123456789abcdef',
    credentials: { adminPassword: 'admin-password', demoLogins: true },
    log: () => {},
  })
  const app = monolithApp(wired, {
    url: 'http://127.0.0.1',
    ops: { open: true, metricsToken: null },
  })
  server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch, idleTimeout: 0 })
  url = `http://127.0.0.1:${server.port}`
  admin = await loginAt(url, 'admin@twinstack.dev', 'admin-password')
})
afterAll(async () => {
  wired?.faults.heal('all')
  await server?.stop(true)
  await wired?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('Fault classes on the monolith (in process)', () => {
  // a failed test leaves no fault behind for the next
  afterEach(healAll)

  it('hang: a call into the module waits, unanswered, until heal, then gets its answer', async () => {
    const user = await loginAt(url, 'demo11@twinstack.dev', 'demo-password')
    expect((await chaos('hang', { target: 'notifications' })).status).toBe(200)
    let answered = false
    const held = notifications(user).then((res) => {
      answered = true
      return res
    })
    // the process itself answers meanwhile: only calls into the module wait
    const armed = (await (
      await api('/_/chaos', { headers: { Authorization: `Bearer ${admin}` } })
    ).json()) as any
    expect(armed.faults.notifications.hang).toBe(true)
    const status = (await (await api('/_/status')).json()) as any
    expect(status.faults.faults.notifications.hang).toBe(true)
    expect((await api('/_/health')).status).toBe(200)
    expect((await notifications('not-a-token')).status).toBe(401)
    expect(answered).toBe(false)
    expect((await chaos('heal', { target: 'notifications' })).status).toBe(200)
    const res = await held
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).items).toBeArray()
  }, 90_000)

  it('cpu: each call burns the CPU synchronously, so a concurrent timer fires late by at least that', async () => {
    const user = await loginAt(url, 'demo12@twinstack.dev', 'demo-password')
    const ms = 300
    expect((await chaos('cpu', { target: 'notifications', ms })).status).toBe(200)
    const ticks: number[] = []
    const timer = setInterval(() => ticks.push(performance.now()), 5)
    try {
      await eventually(async () => expect(ticks.length).toBeGreaterThan(2))
      expect((await notifications(user)).status).toBe(200)
      ticks.push(performance.now())
    } finally {
      clearInterval(timer)
      await chaos('heal', { target: 'notifications' })
    }
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]!)
    // a 5 ms timer could not fire while the call burned: its longest wait holds the burn
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(ms)
  }, 90_000)

  it('poison: the next message the module consumes ends in dead letters; the next one is handled', async () => {
    const user = await loginAt(url, 'demo13@twinstack.dev', 'demo-password')
    const checkout = async (productId: string) => {
      const res = await api('/api/checkout', {
        method: 'POST',
        headers: { ...json, Authorization: `Bearer ${user}` },
        body: JSON.stringify({ items: [{ productId, quantity: 1 }], card: CARD_OK }),
      })
      expect(res.status).toBe(201)
      return ((await res.json()) as { orderId: string }).orderId
    }
    expect((await chaos('poison', { target: 'notifications' })).status).toBe(200)
    await checkout('p-0021')
    const dead = await eventually(async () => {
      const rows = wired.database.db
        .select()
        .from(deadLetters)
        .where(eq(deadLetters.consumer, 'notifications'))
        .all()
      expect(rows).toHaveLength(1)
      return rows[0]!
    }, 30_000)
    const poisoned = wired.faults.snapshot().faults.notifications?.poisonedEvent
    expect(dead.eventId).toBe(poisoned!)
    expect(dead.attempts).toBe(messaging.maxAttempts)
    expect(dead.error).toContain('poisoned message')
    // still armed, but only that one message is poisoned: the next checkout is notified
    const next = await checkout('p-0022')
    await eventually(async () => {
      const items = ((await (await notifications(user)).json()) as any).items as any[]
      expect(items.some((n) => n.orderId === next)).toBe(true)
    }, 30_000)
    expect(
      wired.database.db
        .select()
        .from(deadLetters)
        .where(eq(deadLetters.consumer, 'notifications'))
        .all(),
    ).toHaveLength(1)
    await chaos('heal', { target: 'notifications' })
  }, 90_000)

  it('refuses bad fault bodies with 400 problem+json and unknown targets with 404', async () => {
    await expectProblem(await chaos('cpu', { target: 'pricing', ms: 0 }), 400)
    await expectProblem(await chaos('cpu', { target: 'pricing' }), 400)
    await expectProblem(await chaos('leak', { target: 'orders', mibPerSec: -1 }), 400)
    await expectProblem(await chaos('leak', { target: 'orders', mib: 5 }), 400)
    await expectProblem(await chaos('hang', {}), 400)
    await expectProblem(await chaos('poison', { target: 'nope' }), 404)
    expect(wired.faults.armed).toBe(false)
  })
})

// The memory limit, on the monolith as users start it: the keeper kills it over the limit
describe('--max-rss on the monolith', () => {
  let keeper: Started | undefined
  let data = ''
  afterAll(async () => {
    await keeper?.stop()
    if (data) rmSync(data, { recursive: true, force: true })
  })

  it('kills a leaking monolith over the limit; the keeper restarts it without the fault', async () => {
    data = mkdtempSync(join(tmpdir(), 'twinstack-max-rss-'))
    const port = freePort()
    const base = `http://127.0.0.1:${port}`
    const entry = join(import.meta.dir, '..', 'twinstack.ts')
    keeper = await startProcess(
      [process.execPath, entry, 'monolith', '--demo', '--open-ops', '--max-rss', '300'],
      { env: { TWINSTACK_DATA: data, PORT: String(port), HOST: '127.0.0.1' }, url: base },
    )
    const status = async () => (await (await fetch(`${base}/_/status`)).json()) as any
    const before = (await status()).services[0]
    const token = await loginAt(base, 'admin@twinstack.dev', 'admin-password')
    const res = await fetch(`${base}/_/chaos/leak`, {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${token}` },
      body: JSON.stringify({ target: 'orders', mibPerSec: 200 }),
    })
    expect(res.status).toBe(200)
    const after = await eventually(async () => {
      const s = (await status()).services[0]
      expect(s.pid).not.toBe(before.pid)
      return s
    }, 60_000)
    expect(after.restarts).toBe(1)
    expect(keeper.output()).toMatch(/killed: rss \d+ MiB over limit 300 MiB/)
    // a new process: the leak died with the old one
    expect((await status()).faults.faults).toEqual({})
  }, 90_000)
})
