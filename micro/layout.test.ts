import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CARD_OK } from '../shared/testing/api-suite.ts'
import { loginAt } from '../shared/testing/http.ts'
import type { Started } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'
import { layoutArg } from './main.ts'
import { startMicro } from './testing.ts'

const entry = join(import.meta.dir, '..', 'twinstack.ts')
const json = { 'Content-Type': 'application/json' }

// deployed runs `twinstack micro --layout <layout>` for the enclosing describe, on fresh data,
// and stops it by its pid afterwards
function deployed(layout: string): () => Started {
  let dataDir = ''
  let micro: Started | undefined
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'twinstack-layout-'))
    micro = await startMicro(dataDir, ['--no-restart', '--layout', layout])
  }, 120_000)
  afterAll(async () => {
    await micro?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  return () => micro!
}

describe('layoutArg', () => {
  it('reads --layout <x> and --layout=<x>, and an empty value when it is missing', () => {
    expect(layoutArg(['--demo', '--layout', 'by-domain'])).toBe('by-domain')
    expect(layoutArg(['--layout=a+b,node:c'])).toBe('a+b,node:c')
    expect(layoutArg(['--layout', '--demo'])).toBe('')
    expect(layoutArg(['--demo'])).toBeUndefined()
  })
})

describe('twinstack micro --layout', () => {
  it('refuses a bad layout with the reason, before starting (or resetting) anything', async () => {
    const root = mkdtempSync(join(tmpdir(), 'twinstack-layout-bad-'))
    const dataDir = join(root, 'data')
    mkdirSync(dataDir)
    writeFileSync(join(dataDir, 'keep.txt'), 'not reset')
    try {
      const proc = Bun.spawn(
        [
          process.execPath,
          entry,
          'micro',
          '--demo',
          '--reset',
          '--layout',
          'storefront+catalog,nope',
        ],
        {
          env: { ...process.env, TWINSTACK_DATA: dataDir, TWINSTACK_PORT_BASE: '1' },
          stdout: 'pipe',
          stderr: 'pipe',
        },
      )
      const code = await proc.exited
      const err = await new Response(proc.stderr).text()
      expect(code).not.toBe(0)
      expect(err).toContain('refuses to start')
      expect(err).toContain('unknown module "nope"')
      // nothing was touched: the data dir as it was, no secrets, no database
      expect(readdirSync(dataDir)).toEqual(['keep.txt'])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})

describe('twinstack micro --layout by-domain', () => {
  const micro = deployed('by-domain')
  const api = (path: string, init: RequestInit = {}) => fetch(`${micro().url}${path}`, init)

  it('runs one process per group and says which modules each runs', async () => {
    const s = (await (await api('/_/status')).json()) as any
    const groups = (s.services as any[]).filter((x) => x.name !== 'gateway')
    expect(groups.map((g) => g.name)).toEqual(['shop-reads', 'shop-writes', 'messaging', 'loans'])
    expect(groups.every((g) => g.healthy && g.runtime.startsWith('bun'))).toBe(true)
    expect(groups.find((g) => g.name === 'shop-writes').modules).toEqual([
      'users',
      'orders',
      'checkout',
      'payments',
      'shipping',
    ])
  })

  it('serves the product page from one process: one hop, nothing degraded', async () => {
    const res = await api('/api/products/p-0001')
    expect(res.status).toBe(200)
    // the gateway's hop to shop-reads; catalog, pricing, reviews and stock are in-process
    expect(res.headers.get('x-hops')).toBe('1')
    const page = (await res.json()) as any
    expect(page.degraded).toEqual([])
    expect(page.price).not.toBeNull()
    expect(page.reviews).not.toBeNull()
  })

  it('checks out across groups, and the payment event reaches the messaging group', async () => {
    const token = await loginAt(micro().url, 'demo7@twinstack.dev', 'demo-password')
    const auth = { ...json, Authorization: `Bearer ${token}` }
    const res = await api('/api/checkout', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ items: [{ productId: 'p-0031', quantity: 1 }], card: CARD_OK }),
    })
    expect(res.status).toBe(201)
    const sale = (await res.json()) as any
    expect(sale.status).toBe('confirmed')
    await eventually(async () => {
      const page = (await (await api('/api/notifications', { headers: auth })).json()) as any
      expect(page.items.map((n: any) => n.orderId)).toContain(sale.orderId)
    }, 20_000)
  })

  it('runs the loan chain in its group', async () => {
    const token = await loginAt(micro().url, 'demo8@twinstack.dev', 'demo-password')
    const res = await api('/api/loans', {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${token}` },
      body: JSON.stringify({ amount: 5000, termMonths: 24, monthlyIncome: 4000, purpose: 'car' }),
    })
    expect(res.status).toBe(201)
    const loan = (await res.json()) as any
    expect(loan.trail.map((s: any) => s.step)).toEqual(['validation', 'credit-check', 'approval'])
  })

  it('kills the group hosting a module named to the supervisor; the other groups answer', async () => {
    const admin = await loginAt(micro().url, 'admin@twinstack.dev', 'admin-password')
    const killed = await api('/_/control/kill/inventory', {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}` },
    })
    expect(killed.status).toBe(200)
    await eventually(async () => {
      const s = (await (await api('/_/status')).json()) as any
      const reads = (s.services as any[]).find((x) => x.name === 'shop-reads')
      expect(reads.healthy).toBe(false)
    }, 20_000)
    expect((await api('/api/products/p-0001')).status).toBeGreaterThanOrEqual(500)
    const token = await loginAt(micro().url, 'demo10@twinstack.dev', 'demo-password')
    const res = await api('/api/loans', {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${token}` },
      body: JSON.stringify({ amount: 4000, termMonths: 12, monthlyIncome: 5000, purpose: 'car' }),
    })
    expect(res.status).toBe(201)
  })
})

describe('twinstack micro --layout monolith', () => {
  const micro = deployed('monolith')

  it('runs the gateway and one process with every module, which checks out', async () => {
    const s = (await (await fetch(`${micro().url}/_/status`)).json()) as any
    const groups = (s.services as any[]).filter((x) => x.name !== 'gateway')
    expect(groups.map((g) => [g.name, g.modules.length])).toEqual([['monolith', 15]])
    const token = await loginAt(micro().url, 'demo9@twinstack.dev', 'demo-password')
    const res = await fetch(`${micro().url}/api/checkout`, {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${token}` },
      body: JSON.stringify({ items: [{ productId: 'p-0041', quantity: 1 }], card: CARD_OK }),
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('x-hops')).toBe('1')
  })
})

describe('twinstack micro --layout "<custom>" with a Node group', () => {
  const layout =
    'storefront+catalog+pricing+reviews+inventory,orders+checkout+payments+shipping,node:loan-validation+credit-check'
  const micro = deployed(layout)

  it('runs the named groups, a process for each module left out, the loan chain on Node', async () => {
    const s = (await (await fetch(`${micro().url}/_/status`)).json()) as any
    const groups = (s.services as any[]).filter((x) => x.name !== 'gateway')
    expect(groups.map((g) => `${g.name}:${g.runtime.split(' ')[0]}`)).toEqual([
      'storefront:bun',
      'orders:bun',
      'loan-validation:node',
      'users:bun',
      'notifications:bun',
      'reporting:bun',
      'loan-approval:bun',
    ])
    const token = await loginAt(micro().url, 'demo11@twinstack.dev', 'demo-password')
    const res = await fetch(`${micro().url}/api/loans`, {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${token}` },
      body: JSON.stringify({ amount: 5000, termMonths: 24, monthlyIncome: 4000, purpose: 'car' }),
    })
    expect(res.status).toBe(201)
    expect(((await res.json()) as any).trail.map((t: any) => t.step)).toEqual([
      'validation',
      'credit-check',
      'approval',
    ])
  })
})
