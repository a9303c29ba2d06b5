import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CARD_OK } from '../shared/testing/api-suite.ts'
import { loginAt } from '../shared/testing/http.ts'
import type { Started } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'
import { startMicro } from './testing.ts'

// The fault classes of issue 12 on the microservices deployment: set through the gateway, which
// forwards them to the service running the target, where they meet calls into its modules
const json = { 'Content-Type': 'application/json' }
const serviceToken = randomBytes(24).toString('hex')
let dataDir = ''
let micro: Started | undefined
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twinstack-micro-faults-'))
  // restarts on (the supervisor's normal policy) and a memory limit every service stays under
  micro = await startMicro(dataDir, ['--max-rss', '300'], undefined, {
    TWINSTACK_SERVICE_TOKEN: serviceToken,
  })
}, 90_000)
afterAll(async () => {
  await micro?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('Fault classes on micro', () => {
  let admin = ''
  let user = ''
  const api = (path: string, init: RequestInit = {}) => fetch(`${micro!.url}${path}`, init)
  const chaos = (action: string, body: Record<string, unknown>) =>
    api(`/_/chaos/${action}`, {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${admin}` },
      body: JSON.stringify(body),
    })
  const status = async () => (await (await api('/_/status')).json()) as any
  const replica = async (name: string) =>
    ((await status()).services as any[]).find((s) => s.name === name)
  const notifications = (base: string) =>
    fetch(`${base}/api/notifications`, {
      headers: { Authorization: `Bearer ${user}`, 'X-Service-Token': serviceToken },
    })

  beforeAll(async () => {
    admin = await loginAt(micro!.url, 'admin@twinstack.dev', 'admin-password')
    user = await loginAt(micro!.url, 'demo21@twinstack.dev', 'demo-password')
  })

  it('hang: calls into the service wait until heal; the gateway gives up on them first', async () => {
    const notifier = await replica('notifications')
    expect((await chaos('hang', { target: 'notifications' })).status).toBe(200)
    try {
      // straight to the service (as the gateway would call it): no answer while hung
      let answered = false
      const held = notifications(notifier.url).then((res) => {
        answered = true
        return res
      })
      // through the gateway: its timeout ends the wait with a problem, not a hang
      const viaGateway = await notifications(micro!.url)
      expect(viaGateway.status).toBeGreaterThanOrEqual(500)
      expect(viaGateway.headers.get('content-type')).toStartWith('application/problem+json')
      expect(answered).toBe(false)
      const s = await status()
      expect(s.faults.faults.notifications.hang).toBe(true)
      // the process is alive and the same one: only calls into its module wait
      expect((await replica('notifications')).pid).toBe(notifier.pid)
      expect((await fetch(`${notifier.url}/_/health`)).status).toBe(200)
      expect((await chaos('heal', { target: 'notifications' })).status).toBe(200)
      const res = await held
      expect(res.status).toBe(200)
      expect(((await res.json()) as any).items).toBeArray()
    } finally {
      await chaos('heal', { target: 'notifications' })
    }
    // once healed the breaker the gateway's failures opened closes again
    await eventually(async () => expect((await notifications(micro!.url)).status).toBe(200), 30_000)
  }, 90_000)

  const checkoutOf = (productId: string) =>
    api('/api/checkout', {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${user}` },
      body: JSON.stringify({ items: [{ productId, quantity: 1 }], card: CARD_OK }),
    })
  const orderRead = (orderId: string) =>
    api(`/api/orders/${orderId}`, { headers: { Authorization: `Bearer ${user}` } })
  const gatewayBreaker = async (to: string) =>
    ((await status()).breakers as any[]).find((b) => b.from === 'gateway' && b.to === to)

  it('errors in payments: checkouts fail as its outage, the gateway keeps serving the rest of orders', async () => {
    const placed = await checkoutOf('p-0043')
    expect(placed.status).toBe(201)
    const { orderId } = (await placed.json()) as { orderId: string }
    expect((await chaos('errors', { target: 'payments', rate: 1 })).status).toBe(200)
    try {
      // more failed checkouts than the gateway's breaker towards orders tolerates
      for (let i = 0; i < 8; i++) {
        const res = await checkoutOf('p-0044')
        expect(res.status).toBe(503)
        // orders answers, promptly, that payments is down: not a failure of orders itself
        expect(res.headers.get('X-Unavailable-Dependency')).toBeString()
      }
      expect((await gatewayBreaker('orders'))?.state ?? 'closed').toBe('closed')
      // the order service's other routes are served meanwhile
      expect((await orderRead(orderId)).status).toBe(200)
    } finally {
      await chaos('heal', { target: 'payments' })
    }
    await eventually(async () => expect((await checkoutOf('p-0044')).status).toBe(201), 30_000)
  }, 90_000)

  it('hang in payments: checkouts held at the gateway do not queue the order reads behind them', async () => {
    const placed = await checkoutOf('p-0045')
    expect(placed.status).toBe(201)
    const { orderId } = (await placed.json()) as { orderId: string }
    expect((await chaos('hang', { target: 'payments' })).status).toBe(200)
    try {
      // more held checkouts than the gateway lets in flight to orders on one compartment
      const order: string[] = []
      const held = Array.from({ length: 12 }, () =>
        checkoutOf('p-0046').then((res) => {
          order.push('checkout')
          return res.status
        }),
      )
      const read = await orderRead(orderId)
      order.push('read')
      expect(read.status).toBe(200)
      // the read did not wait for a held checkout to end (each waits for the orders service's
      // timeout towards payments, then fails as payments' outage)
      expect(order[0]).toBe('read')
      for (const status of await Promise.all(held)) expect(status).toBe(503)
    } finally {
      await chaos('heal', { target: 'payments' })
    }
    await eventually(async () => expect((await checkoutOf('p-0046')).status).toBe(201), 30_000)
  }, 90_000)

  it('poison: the next message the service consumes ends in dead letters; the next one is handled', async () => {
    const checkout = async (productId: string) => {
      const res = await api('/api/checkout', {
        method: 'POST',
        headers: { ...json, Authorization: `Bearer ${user}` },
        body: JSON.stringify({ items: [{ productId, quantity: 1 }], card: CARD_OK }),
      })
      expect(res.status).toBe(201)
      return ((await res.json()) as { orderId: string }).orderId
    }
    const deadOf = async () =>
      ((await status()).queues as any[]).find((q) => q.topic === 'payments')?.deadLettered ?? 0
    const before = await deadOf()
    expect((await chaos('poison', { target: 'notifications' })).status).toBe(200)
    try {
      await checkout('p-0041')
      await eventually(async () => expect(await deadOf()).toBe(before + 1), 60_000)
      const armed = (await status()).faults.faults.notifications
      expect(armed.poison).toBe(true)
      expect(armed.poisonedEvent).toBeString()
      const next = await checkout('p-0042')
      await eventually(async () => {
        const items = ((await (await notifications(micro!.url)).json()) as any).items as any[]
        expect(items.some((n) => n.orderId === next)).toBe(true)
      }, 60_000)
      expect(await deadOf()).toBe(before + 1)
    } finally {
      await chaos('heal', { target: 'notifications' })
    }
  }, 120_000)

  it('--max-rss: a leaking service is killed over the limit and restarted by the supervisor', async () => {
    const reviews = await replica('reviews')
    expect((await chaos('leak', { target: 'reviews', mibPerSec: 200 })).status).toBe(200)
    expect((await status()).faults.faults.reviews.leakMiBPerSec).toBe(200)
    const after = await eventually(async () => {
      const r = await replica('reviews')
      expect(r.pid).not.toBe(reviews.pid)
      expect(r.healthy).toBe(true)
      return r
    }, 60_000)
    expect(after.restarts).toBe(reviews.restarts + 1)
    const killed = ((await status()).events as any[]).find(
      (e) => e.kind === 'killed' && e.service === 'reviews#0',
    )
    expect(killed?.detail).toMatch(/^rss \d+ MiB over limit 300 MiB$/)
    // the new process carries no fault: the leak died with the old one
    expect((await status()).faults.faults.reviews).toBeUndefined()
    // and no other service was killed
    const others = ((await status()).events as any[]).filter(
      (e) => e.kind === 'killed' && e.service !== 'reviews#0',
    )
    expect(others).toEqual([])
  }, 90_000)
})
