import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runChaos } from '../scripts/chaos.ts'
import { apiSuite, CARD_OK } from '../shared/testing/api-suite.ts'
import { loginAt } from '../shared/testing/http.ts'
import { alive, type Started } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'
import { expectOthersAnswer, startMicro } from './testing.ts'
import { topology } from './topology.ts'

const json = { 'Content-Type': 'application/json' }
const pidsOf = (status: any) =>
  (status.services as any[]).map((s) => s.pid).filter(Boolean) as number[]

let dataDir = ''
let micro: Started | undefined
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twinstack-micro-'))
  micro = await startMicro(dataDir, ['--no-restart'])
}, 90_000)
afterAll(async () => {
  await micro?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

apiSuite('micro gateway', () => micro!.url)

describe('Microservices under failure', () => {
  let admin = ''
  let user = ''
  let me = ''
  const api = (path: string, init: RequestInit = {}) => fetch(`${micro!.url}${path}`, init)
  const control = (action: string, service: string) =>
    api(`/_/control/${action}/${service}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}` },
    })
  const status = async () => (await (await api('/_/status')).json()) as any
  const checkout = (productId = 'p-0021') =>
    api('/api/checkout', {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${user}` },
      body: JSON.stringify({ items: [{ productId, quantity: 1 }], card: CARD_OK }),
    })

  beforeAll(async () => {
    const login = (email: string, password: string) => loginAt(micro!.url, email, password)
    admin = await login('admin@twinstack.dev', 'admin-password')
    user = await login('demo9@twinstack.dev', 'demo-password')
    me = JSON.parse(atob(user.split('.')[1]!)).sub
  })

  it('runs every service of the topology as its own process, behind the service token', async () => {
    const s = await status()
    const names = new Set((s.services as any[]).map((x) => x.name))
    for (const svc of topology.services) expect(names.has(svc.name)).toBe(true)
    expect(new Set(pidsOf(s)).size).toBe(s.services.length)
    const storefront = (s.services as any[]).find((x) => x.name === 'storefront')
    const direct = await fetch(`${storefront.url}/api/products/p-0001`)
    expect(direct.status).toBe(403)
  })

  it('serves every replica on a unix socket too, in a private directory, behind the same token', async () => {
    const dir = join(dataDir, 'sockets')
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    for (const svc of topology.services) {
      for (let i = 0; i < svc.replicas; i++) {
        const unix = join(dir, `${svc.name}-${i}.sock`)
        expect({ unix, socket: statSync(unix).isSocket() }).toEqual({ unix, socket: true })
        const health = await fetch('http://127.0.0.1/_/health', { unix })
        expect(((await health.json()) as { service: string }).service).toBe(svc.name)
      }
    }
    const unix = join(dir, 'storefront-0.sock')
    expect((await fetch('http://127.0.0.1/api/products/p-0001', { unix })).status).toBe(403)
  })

  it('starts every service with the allocator keeping its pages (runtime.ts allocatorEnv)', async () => {
    const env = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
    for (const pid of pidsOf(await status())) {
      if (pid === micro!.proc.pid) continue
      // -1 unless this environment chose otherwise (an explicit setting wins)
      const want = `MIMALLOC_PURGE_DELAY=${process.env.MIMALLOC_PURGE_DELAY ?? '-1'}`
      expect({ pid, set: env(pid).includes(want) }).toEqual({ pid, set: true })
    }
  })

  it('refuses control calls from non-admins', async () => {
    const res = await api('/_/control/kill/reviews', {
      method: 'POST',
      headers: { Authorization: `Bearer ${user}` },
    })
    expect(res.status).toBe(403)
  })

  it('degrades the product page but answers while reviews is killed', async () => {
    await control('kill', 'reviews')
    const res = await api('/api/products/p-0001')
    expect(res.status).toBe(200)
    const page = (await res.json()) as any
    expect(page.degraded).toEqual(['reviews'])
    expect(page.reviews).toBeNull()
    expect(page.price).not.toBeNull()
    expect((await control('start', 'reviews')).status).toBe(200)
    const healed = (await (await api('/api/products/p-0001')).json()) as any
    expect(healed.degraded).toEqual([])
  })

  it('answers checkout 503 once the payments breaker is open, and closes it after payments returns', async () => {
    await control('kill', 'payments')
    const answers: number[] = []
    for (let i = 0; i < 8; i++) answers.push((await checkout()).status)
    expect(answers.every((s) => s === 503)).toBe(true)
    const open = await status()
    expect(open.breakers.find((b: any) => b.from === 'orders' && b.to === 'payments')?.state).toBe(
      'open',
    )
    const failed = await checkout()
    expect(failed.status).toBe(503)
    expect(failed.headers.get('content-type')).toContain('application/problem+json')
    expect(failed.headers.get('retry-after')).toBeTruthy()
    expect(failed.headers.get('x-unavailable-dependency')).toBe('payments')
    // the outage stays with payments: orders still answers, the gateway's link to it stays closed
    const mine = await api(`/api/users/${me}/orders`, {
      headers: { Authorization: `Bearer ${user}` },
    })
    expect(mine.status).toBe(200)
    expect(open.breakers.find((b: any) => b.from === 'gateway' && b.to === 'orders')?.state).toBe(
      'closed',
    )
    // the same failure check as every other layout (micro/layouts.test.ts): what the manifests
    // say does not need payments answers in full
    await expectOthersAnswer(micro!.url, ['payments'], { id: me, token: user })

    expect((await control('start', 'payments')).status).toBe(200)
    const ok = await eventually(async () => {
      const res = await checkout()
      expect(res.status).toBe(201)
      return res
    })
    expect(ok.status).toBe(201)
    const closed = await status()
    expect(
      closed.breakers.find((b: any) => b.from === 'orders' && b.to === 'payments')?.state,
    ).toBe('closed')
  })

  it('keeps checkouts working while notifications is down and delivers every notification once', async () => {
    await control('kill', 'notifications')
    const orders: string[] = []
    for (let i = 0; i < 5; i++) {
      const res = await checkout('p-0031')
      expect(res.status).toBe(201)
      orders.push(((await res.json()) as any).orderId)
    }
    const waiting = await status()
    expect(waiting.queues.find((q: any) => q.topic === 'payments')?.pending).toBeGreaterThanOrEqual(
      5,
    )
    expect((await control('start', 'notifications')).status).toBe(200)
    await eventually(async () => {
      const res = await api('/api/notifications', { headers: { Authorization: `Bearer ${user}` } })
      const items = ((await res.json()) as any).items as any[]
      for (const id of orders) expect(items.filter((n) => n.orderId === id)).toHaveLength(1)
    }, 15_000)
    for (const id of orders) {
      const res = await api(`/api/orders/${id}`, { headers: { Authorization: `Bearer ${user}` } })
      expect(((await res.json()) as any).status).toBe('paid')
    }
  })

  it('counts the internal hops and bytes a request cost', async () => {
    const res = await api('/api/products/p-0001')
    // gateway -> storefront, then storefront -> catalog, pricing, reviews, inventory
    expect(res.headers.get('x-hops')).toBe('5')
    expect(Number(res.headers.get('x-internal-bytes'))).toBeGreaterThan(1000)
  })

  it('injects errors into a service and partitions a link through the chaos CLI', async () => {
    const chaos = (...args: string[]) => runChaos([...args, `--url=${micro!.url}`], {})
    expect(await chaos('errors', 'reviews', '1')).toBe(0)
    expect(((await (await api('/api/products/p-0002')).json()) as any).degraded).toEqual([
      'reviews',
    ])
    expect(await chaos('heal', 'reviews')).toBe(0)
    expect(await chaos('partition', 'orders', 'payments')).toBe(0)
    for (let i = 0; i < 6; i++) expect((await checkout('p-0041')).status).toBe(503)
    const open = await status()
    expect(open.breakers.find((b: any) => b.from === 'orders' && b.to === 'payments')?.state).toBe(
      'open',
    )
    expect(await chaos('heal', 'all')).toBe(0)
    await eventually(async () => expect((await checkout('p-0041')).status).toBe(201))
    expect(await chaos('kill', 'nope')).toBe(1)
  })

  it('streams dashboard snapshots and exports breaker and queue gauges', async () => {
    const res = await api('/_/dashboard/stream')
    const reader = res.body!.getReader()
    let text = ''
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value)
    await reader.cancel()
    const snapshot = JSON.parse(text.split('data: ')[1]!.split('\n')[0]!)
    expect(snapshot.deployment).toBe('micro')
    expect(snapshot.targets.map((t: any) => t.target).sort()).toEqual(
      topology.services.map((s) => s.name).sort(),
    )
    expect(snapshot.targets.find((t: any) => t.target === 'storefront').count).toBeGreaterThan(0)
    expect(snapshot.events.some((e: any) => e.kind === 'killed')).toBe(true)
    const metrics = await (await api('/_/metrics')).text()
    expect(metrics).toContain('breaker_state{from="gateway"')
    expect(metrics).toContain('queue_pending_messages{topic="payments"}')
  })

  it('leaves no process behind when the supervisor stops', async () => {
    const pids = pidsOf(await status())
    await micro!.stop()
    await eventually(async () => expect(pids.filter(alive)).toEqual([]), 10_000)
    micro = undefined
  })
})
