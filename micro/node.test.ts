import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { paymentsClient } from '../shared/modules/payments/index.ts'
import { apiSuite, CARD_OK } from '../shared/testing/api-suite.ts'
import { kindOf, loginAt } from '../shared/testing/http.ts'
import { alive, type Started } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'
import { startMicro } from './testing.ts'

// Half the services on Node 20, the rest (and the gateway) on Bun: the same sources, the Node
// processes run the bundle the supervisor builds before spawning them. orders on Node shares
// users-orders.db with users on Bun (better-sqlite3 and bun:sqlite writing one WAL file), and
// every process shares the queue file whatever its runtime.
const ON_NODE = ['payments', 'shipping', 'orders', 'notifications', 'storefront']
const token = randomBytes(24).toString('hex')
let dataDir = ''
let micro: Started | undefined
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twinstack-node-micro-'))
  micro = await startMicro(dataDir, ['--no-restart'], ['--demo', '--open-ops'], {
    TWINSTACK_NODE_SERVICES: ON_NODE.join(','),
    TWINSTACK_SERVICE_TOKEN: token,
  })
}, 120_000)
afterAll(async () => {
  await micro?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const status = async () => (await (await fetch(`${micro!.url}/_/status`)).json()) as any
const processOf = (s: any, name: string) => (s.services as any[]).find((x) => x.name === name)

describe('Services on Node', () => {
  it('runs the chosen services on Node and the rest on Bun, as /_/status shows', async () => {
    const s = await status()
    for (const p of s.services as any[]) {
      expect(`${p.name} ${p.runtime}`).toStartWith(
        `${p.name} ${ON_NODE.includes(p.name) ? 'node v20.' : 'bun 1.'}`,
      )
    }
    // storefront has two replicas
    expect(s.services.filter((p: any) => p.runtime.startsWith('node'))).toHaveLength(6)
    expect(processOf(s, 'gateway').runtime).toStartWith('bun 1.')
    expect(s.services.every((x: any) => x.healthy)).toBe(true)
    const health = await fetch(`${processOf(s, 'payments').url}/_/health`)
    expect(((await health.json()) as any).runtime).toBe(processOf(s, 'payments').runtime)
  })

  it('checks out through the gateway with the saga, payment and shipping on Node', async () => {
    const user = await loginAt(micro!.url, 'demo4@twinstack.dev', 'demo-password')
    const res = await fetch(`${micro!.url}/api/checkout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${user}` },
      body: JSON.stringify({ items: [{ productId: 'p-0012', quantity: 1 }], card: CARD_OK }),
    })
    expect(res.status).toBe(201)
    const order = (await res.json()) as any
    expect(order.status).toBe('confirmed')
    expect(order.steps.payment).toEqual(expect.any(Object))
    expect(order.steps.shipping).toEqual(expect.any(Object))
  })

  it('answers the Payments contract from Node as from Bun, errors included', async () => {
    const url = processOf(await status(), 'payments').url
    const payments = paymentsClient(url, (input, init) => {
      const headers = new Headers(init?.headers)
      headers.set('X-Service-Token', token)
      return fetch(input, { ...init, headers })
    })
    const reference = randomUUID()
    const input = {
      reference,
      userId: 'u-0001',
      email: 'demo1@twinstack.dev',
      amount: { amount: 12.5, currency: 'EUR' },
      card: CARD_OK,
    }
    const p = await payments.authorize(input)
    expect(p).toMatchObject({ reference, status: 'authorized' })
    // once per reference, in a better-sqlite3 IMMEDIATE transaction
    expect(await payments.authorize(input)).toEqual(p)
    expect(
      await kindOf(payments.authorize({ ...input, amount: { amount: 99, currency: 'EUR' } })),
    ).toBe('conflict')
    const captured = await payments.capture(reference, 'o-node')
    expect(captured).toMatchObject({ id: p.id, orderId: 'o-node', status: 'captured' })
    expect(await payments.payment(reference)).toEqual(captured)
    expect(await kindOf(payments.void(reference))).toBe('conflict')
    const declined = {
      ...input,
      reference: randomUUID(),
      card: { ...CARD_OK, number: '4000000000000002' },
    }
    expect(await kindOf(payments.authorize(declined))).toBe('rule')
    expect(await payments.payment('no-such-reference')).toBeNull()
    expect(await kindOf(payments.capture('no-such-reference', 'o-1'))).toBe('not-found')
  })
})

// the public API suite through the gateway, with those services on Node (checkout, cancellation
// and refunds, notifications fed through the queue, orders read beside users)
apiSuite('micro gateway, half the services on Node', () => micro!.url)

describe('Services on Node, restarted', () => {
  it('restarts a Node service on Node when an admin asks, and it answers checkouts again', async () => {
    const admin = await loginAt(micro!.url, 'admin@twinstack.dev', 'admin-password')
    const before = processOf(await status(), 'payments')
    const res = await fetch(`${micro!.url}/_/control/restart/payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}` },
    })
    expect(res.status).toBe(200)
    const after = processOf(await status(), 'payments')
    expect(after.pid).not.toBe(before.pid)
    expect(alive(before.pid)).toBe(false)
    expect(after.runtime).toStartWith('node v20.')
    const user = await loginAt(micro!.url, 'demo5@twinstack.dev', 'demo-password')
    const checkout = await fetch(`${micro!.url}/api/checkout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${user}` },
      body: JSON.stringify({ items: [{ productId: 'p-0014', quantity: 1 }], card: CARD_OK }),
    })
    expect(checkout.status).toBe(201)
  })
})

describe('Services on Node, stopped', () => {
  it('drain on SIGTERM and leave no process behind when the supervisor stops', async () => {
    const pids = ((await status()).services as any[])
      .filter((p) => p.runtime.startsWith('node'))
      .map((p) => p.pid as number)
    expect(pids).toHaveLength(6)
    await micro!.stop()
    expect(micro!.output()).toContain('[payments#0] SIGTERM: draining')
    await eventually(async () => expect(pids.filter(alive)).toEqual([]))
  })
})
