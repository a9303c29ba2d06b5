import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiSuite, CARD_OK, eventually } from '../shared/testing/api-suite.ts'
import { freePort, type Started, startProcess } from '../shared/testing/process.ts'

const main = join(import.meta.dir, 'main.ts')

// startMonolith runs `bun monolith/main.ts` as a real process on a free loopback port
async function startMonolith(dataDir: string, env: Record<string, string> = {}) {
  const port = freePort()
  return startProcess([process.execPath, main, '--demo', '--open-ops'], {
    env: { TWINSTACK_DATA: dataDir, PORT: String(port), HOST: '127.0.0.1', ...env },
    url: `http://127.0.0.1:${port}`,
  })
}

let dataDir = ''
let monolith: Started | undefined
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twinstack-monolith-'))
  monolith = await startMonolith(dataDir)
})
afterAll(async () => {
  await monolith?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

apiSuite('monolith', () => monolith!.url)

describe('Monolith process', () => {
  it('reports itself as the monolith', async () => {
    const health = await (await fetch(`${monolith!.url}/_/health`)).json()
    expect(health).toMatchObject({ status: 'ok', service: 'monolith', deployment: 'monolith' })
    expect(monolith!.output()).toContain('demo1@twinstack.dev')
  })

  it('delivers a notification after being killed between checkout and delivery', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinstack-crash-'))
    let proc: Started | undefined
    try {
      // relay paused: the checkout commits, its PaymentCaptured event waits in the outbox
      proc = await startMonolith(dir, { TWINSTACK_RELAY_PAUSED: '1' })
      const login = await fetch(`${proc.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'demo7@twinstack.dev', password: 'demo-password' }),
      })
      const { token } = (await login.json()) as { token: string }
      const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }
      const res = await fetch(`${proc.url}/api/checkout`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ items: [{ productId: 'p-0011', quantity: 1 }], card: CARD_OK }),
      })
      expect(res.status).toBe(201)
      const { orderId } = (await res.json()) as { orderId: string }
      const status = (await (await fetch(`${proc.url}/_/status`)).json()) as any
      expect(status.queues.find((q: any) => q.topic === 'payments')?.pending).toBe(1)
      await proc.kill()

      proc = await startMonolith(dir)
      const url = proc.url
      const mine = await eventually(async () => {
        const a = await fetch(`${url}/api/notifications`, { headers: auth })
        const items = ((await a.json()) as any).items.filter((n: any) => n.orderId === orderId)
        expect(items).toHaveLength(1)
        return items
      })
      expect(mine[0].kind).toBe('payment-confirmation')
      const order = await fetch(`${url}/api/orders/${orderId}`, { headers: auth })
      expect(((await order.json()) as any).status).toBe('paid')
    } finally {
      await proc?.kill()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('starts fresh with --reset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinstack-reset-'))
    let proc: Started | undefined
    try {
      proc = await startMonolith(dir)
      const reg = await fetch(`${proc.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'once@example.com', password: 'long enough', name: 'O' }),
      })
      expect(reg.status).toBe(201)
      await proc.stop()
      const port = freePort()
      proc = await startProcess([process.execPath, main, '--demo', '--open-ops', '--reset'], {
        env: { TWINSTACK_DATA: dir, PORT: String(port) },
        url: `http://127.0.0.1:${port}`,
      })
      const again = await fetch(`${proc.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'once@example.com', password: 'long enough', name: 'O' }),
      })
      expect(again.status).toBe(201)
    } finally {
      await proc?.stop()
      rmSync(dir, { recursive: true, force: true })
    }
    // two starts with seeding and two argon2 registrations: a loaded machine needs more than 5 s
  }, 30_000)
})
