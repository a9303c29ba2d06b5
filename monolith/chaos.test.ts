import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runChaos } from '../scripts/chaos.ts'
import { CARD_OK } from '../shared/testing/api-suite.ts'
import { loginAt } from '../shared/testing/http.ts'
import { freePort, type Started, startProcess } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'

// The monolith under chaos, started as users start it: the keeper restarts it after a crash
const entry = join(import.meta.dir, '..', 'twinstack.ts')
const json = { 'Content-Type': 'application/json' }
let dir = ''
let keeper: Started | undefined
let url = ''
let admin = ''

const api = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, init)
const chaos = (...args: string[]) => runChaos([...args, `--url=${url}`], {})
const page = async () => (await (await api('/api/products/p-0001')).json()) as any
const login = (email: string, password: string) => loginAt(url, email, password)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinstack-chaos-'))
  const port = freePort()
  url = `http://127.0.0.1:${port}`
  keeper = await startProcess([process.execPath, entry, 'monolith', '--demo', '--open-ops'], {
    env: { TWINSTACK_DATA: dir, PORT: String(port), HOST: '127.0.0.1' },
    url,
  })
  admin = await login('admin@twinstack.dev', 'admin-password')
})
afterAll(async () => {
  await keeper?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('Chaos on the monolith', () => {
  it('fails a module on demand and heals it: the page degrades, then recovers', async () => {
    expect(await chaos('errors', 'pricing', '1')).toBe(0)
    const broken = await page()
    expect(broken.degraded).toEqual(['pricing'])
    expect(broken.price).toBeNull()
    expect(await chaos('heal', 'pricing')).toBe(0)
    expect((await page()).degraded).toEqual([])
  })

  it('partitions one module from another', async () => {
    expect(await chaos('partition', 'storefront', 'inventory')).toBe(0)
    expect((await page()).degraded).toEqual(['inventory'])
    expect(await chaos('heal', 'all')).toBe(0)
    expect((await page()).degraded).toEqual([])
  })

  it('costs no internal hops or bytes in one process', async () => {
    const res = await api('/api/products/p-0001')
    expect(res.headers.get('x-hops')).toBe('0')
    expect(res.headers.get('x-internal-bytes')).toBe('0')
  })

  it('keeps the chaos routes to admins and known targets', async () => {
    const user = await login('demo3@twinstack.dev', 'demo-password')
    const body = JSON.stringify({ target: 'pricing', rate: 1 })
    const anonymous = await api('/_/chaos/errors', { method: 'POST', headers: json, body })
    expect(anonymous.status).toBe(401)
    const customer = await api('/_/chaos/errors', {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${user}` },
      body,
    })
    expect(customer.status).toBe(403)
    const unknown = await api('/_/chaos/errors', {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${admin}` },
      body: JSON.stringify({ target: 'nope', rate: 1 }),
    })
    expect(unknown.status).toBe(404)
    const bad = await api('/_/chaos/errors', {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${admin}` },
      body: JSON.stringify({ target: 'pricing', rate: 7 }),
    })
    expect(bad.status).toBe(400)
  })

  it('refuses process actions, which need the microservices deployment', async () => {
    expect(await chaos('kill', 'payments')).toBe(1)
  })

  it('takes every endpoint down with a crash in one module, until the keeper restarts it', async () => {
    const pid = ((await (await api('/_/status')).json()) as any).services[0].pid as number
    const user = await login('demo4@twinstack.dev', 'demo-password')
    expect(await chaos('crash', 'payments')).toBe(0)
    // the next call into payments (a checkout) ends the whole process
    const crashed = await api('/api/checkout', {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${user}` },
      body: JSON.stringify({ items: [{ productId: 'p-0012', quantity: 1 }], card: CARD_OK }),
    }).catch((e: Error) => e)
    expect(crashed).toBeInstanceOf(Error)
    const status = await eventually(async () => {
      const s = (await (await api('/_/status')).json()) as any
      expect(s.services[0].pid).not.toBe(pid)
      return s
    }, 15_000)
    expect(status.services[0].restarts).toBe(1)
    expect((await page()).degraded).toEqual([])
  })
})
