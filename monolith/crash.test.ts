import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CARD_OK } from '../shared/testing/api-suite.ts'
import { loginAt } from '../shared/testing/http.ts'
import { freePort, type Started, startProcess } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'

// A real crash of the monolith in the middle of a checkout, after the money was captured: the
// checkout is held there by the test hook (TWINSTACK_CHECKOUT_HOLD_AT), the process is
// SIGKILLed, and the next process on the same data finishes the sale on its own.
const entry = join(import.meta.dir, '..', 'twinstack.ts')
const json = { 'Content-Type': 'application/json' }
const dir = mkdtempSync(join(tmpdir(), 'twinstack-monolith-crash-'))
const hold = join(dir, 'hold-checkout')
const port = freePort()
const url = `http://127.0.0.1:${port}`
let current: Started | undefined

const start = () =>
  startProcess([process.execPath, entry, 'monolith-process', '--demo'], {
    env: {
      TWINSTACK_DATA: dir,
      PORT: String(port),
      HOST: '127.0.0.1',
      TWINSTACK_CHECKOUT_HOLD_AT: 'captured',
      TWINSTACK_CHECKOUT_HOLD_WHILE: hold,
      TWINSTACK_RECOVER_MS: '200',
    },
    url,
  })

afterAll(async () => {
  await current?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('Checkout when the monolith is SIGKILLed mid-saga', () => {
  it('finishes the captured sale after the restart; the key answers that sale', async () => {
    current = await start()
    const api = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, init)
    const admin = await loginAt(url, 'admin@twinstack.dev', 'admin-password')
    const user = await loginAt(url, 'demo12@twinstack.dev', 'demo-password')
    const sagas = async () =>
      (await (
        await api('/api/checkout/sagas', { headers: { Authorization: `Bearer ${admin}` } })
      ).json()) as { inFlight: number; states: Record<string, number>; reservedUnits: number }
    const available = async () =>
      ((await (await api('/api/products/p-0032')).json()) as any).stock.available as number
    const checkout = () =>
      api('/api/checkout', {
        method: 'POST',
        headers: { ...json, Authorization: `Bearer ${user}`, 'Idempotency-Key': 'sigkill-2' },
        body: JSON.stringify({ items: [{ productId: 'p-0032', quantity: 2 }], card: CARD_OK }),
      })
    const before = await available()

    writeFileSync(hold, '')
    const held = checkout().catch((e: unknown) => e)
    // "capturing" is logged before the capture and "captured" after the hook, so the capture
    // itself shows as the customer's payment confirmation (published with it)
    await eventually(async () => expect((await sagas()).states.capturing).toBe(1), 30_000)
    await eventually(async () => {
      const res = await api('/api/notifications', { headers: { Authorization: `Bearer ${user}` } })
      const { items } = (await res.json()) as { items: unknown[] }
      expect(items).toHaveLength(1)
    }, 30_000)
    expect((await sagas()).reservedUnits).toBe(2)
    rmSync(hold)
    await current.kill()
    expect(await held).toBeInstanceOf(Error)

    current = await start()
    const settled = await eventually(async () => {
      const s = await sagas()
      expect(s.inFlight).toBe(0)
      expect(s.reservedUnits).toBe(0)
      return s
    }, 60_000)
    expect(settled.states.done).toBe(1)
    expect(settled.states.failed).toBeUndefined()
    expect(await available()).toBe(before - 2)

    const retried = await checkout()
    expect(retried.status).toBe(201)
    const sale = (await retried.json()) as { orderId: string; status: string }
    expect(sale.status).toBe('confirmed')
    const order = await api(`/api/orders/${sale.orderId}`, {
      headers: { Authorization: `Bearer ${user}` },
    })
    expect(((await order.json()) as { status: string }).status).toBe('paid')
    expect(await available()).toBe(before - 2)
    expect((await sagas()).states.done).toBe(1)
    // one payment, one confirmation, across the crash and the retries
    const res = await api('/api/notifications', { headers: { Authorization: `Bearer ${user}` } })
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1)
  }, 120_000)
})
