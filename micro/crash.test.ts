import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CARD_OK } from '../shared/testing/api-suite.ts'
import { loginAt } from '../shared/testing/http.ts'
import { type Started, startProcess } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'
import { freeBase } from './testing.ts'

// A real crash of the orders service (which runs checkout) in the middle of a checkout: the
// checkout is held at a step by the test hook (TWINSTACK_CHECKOUT_HOLD_AT), the process is
// SIGKILLed there, the supervisor restarts it, and its recovery worker settles the saga.
const entry = join(import.meta.dir, '..', 'twinstack.ts')
const json = { 'Content-Type': 'application/json' }
let dir = ''
let hold = ''
let micro: Started | undefined

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinstack-micro-crash-'))
  hold = join(dir, 'hold-checkout')
  const base = freeBase()
  micro = await startProcess([process.execPath, entry, 'micro', '--quiet', '--demo'], {
    env: {
      TWINSTACK_DATA: dir,
      TWINSTACK_PORT_BASE: String(base),
      HOST: '127.0.0.1',
      TWINSTACK_CHECKOUT_HOLD_AT: 'capturing',
      TWINSTACK_CHECKOUT_HOLD_WHILE: hold,
      TWINSTACK_RECOVER_MS: '200',
    },
    url: `http://127.0.0.1:${base}`,
    waitMs: 60_000,
  })
}, 90_000)
afterAll(async () => {
  await micro?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('Checkout when the orders process is SIGKILLed mid-saga (micro)', () => {
  it('compensates the held attempt after the restart; the key then makes exactly one sale', async () => {
    const api = (path: string, init: RequestInit = {}) => fetch(`${micro!.url}${path}`, init)
    const admin = await loginAt(micro!.url, 'admin@twinstack.dev', 'admin-password')
    const user = await loginAt(micro!.url, 'demo11@twinstack.dev', 'demo-password')
    const me = JSON.parse(atob(user.split('.')[1]!)).sub as string
    const sagas = async () =>
      (await (
        await api('/api/checkout/sagas', { headers: { Authorization: `Bearer ${admin}` } })
      ).json()) as { inFlight: number; states: Record<string, number>; reservedUnits: number }
    const available = async () =>
      ((await (await api('/api/products/p-0031')).json()) as any).stock.available as number
    const checkout = () =>
      api('/api/checkout', {
        method: 'POST',
        headers: { ...json, Authorization: `Bearer ${user}`, 'Idempotency-Key': 'sigkill-1' },
        body: JSON.stringify({ items: [{ productId: 'p-0031', quantity: 3 }], card: CARD_OK }),
      })
    const before = await available()

    writeFileSync(hold, '')
    const held = checkout()
    // the saga log says "capturing" before the hook holds: stock and card are held now
    await eventually(async () => expect((await sagas()).states.capturing).toBe(1), 30_000)
    expect(await available()).toBe(before - 3)
    rmSync(hold)
    const killed = await api('/_/control/kill/orders', {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}` },
    })
    expect(killed.status).toBe(200)
    // the client of the held request learns nothing definite
    expect((await held).status).toBeGreaterThanOrEqual(500)

    // the restarted orders process finds the saga its dead predecessor left and compensates it
    const settled = await eventually(async () => {
      const s = await sagas()
      expect(s.inFlight).toBe(0)
      expect(s.reservedUnits).toBe(0)
      return s
    }, 60_000)
    expect(settled.states.failed).toBe(1)
    expect(await available()).toBe(before)

    // the client retries with its key: one new sale, then the same answer again
    const retried = await checkout()
    expect(retried.status).toBe(201)
    const sale = (await retried.json()) as { orderId: string }
    const again = await checkout()
    expect(((await again.json()) as { orderId: string }).orderId).toBe(sale.orderId)
    expect(await available()).toBe(before - 3)
    const orders = (await (
      await api(`/api/users/${me}/orders`, { headers: { Authorization: `Bearer ${user}` } })
    ).json()) as { items: { id: string; status: string }[] }
    expect(orders.items.filter((o) => o.status === 'paid').map((o) => o.id)).toEqual([sale.orderId])
    expect(orders.items.filter((o) => o.status !== 'paid').map((o) => o.status)).toEqual([
      'cancelled',
    ])
    const after = await sagas()
    expect(after).toMatchObject({ inFlight: 0, reservedUnits: 0 })
    expect(after.states.done).toBe(1)
  }, 120_000)
})
