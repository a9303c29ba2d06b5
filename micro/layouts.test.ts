import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiSuite, CARD_OK } from '../shared/testing/api-suite.ts'
import { loginAt } from '../shared/testing/http.ts'
import type { Started } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'
import { endpointsNeeding } from '../shared/wiring/registry.ts'
import { expectOthersAnswer, startMicro } from './testing.ts'

// Issue 11: every layout passes the same HTTP API suite and the same failure tests. Each layout
// below is started once (`twinstack micro --layout <layout>`, fresh data, stopped by its pid
// afterwards), then runs what is particular to it, the shared API suite of api.md, and the
// failure tests: the group hosting payments is killed, checkout answers 503 problem+json, the
// endpoints that do not need that group (derived from the manifests) keep answering, and a
// checkout succeeds once the group is started again.
//
// The `micro` layout (the default: a process per module) is not started here: micro/micro.test.ts
// runs the same API suite and its failure tests (payments killed: checkout 503, orders still
// answering, checkout back after start) against it, and starting fifteen processes twice would
// only cost test time.

const json = { 'Content-Type': 'application/json' }

type Status = {
  services: { name: string; modules?: string[]; runtime: string; healthy: boolean }[]
}
type Api = (path: string, init?: RequestInit) => Promise<Response>

interface Case {
  layout: string
  // what is particular to this layout, checked on the running deployment before the suite
  particular: (api: Api, url: () => string) => void
}

const groupsOf = async (api: Api) =>
  ((await (await api('/_/status')).json()) as Status).services.filter((s) => s.name !== 'gateway')

const CASES: Case[] = [
  {
    layout: 'monolith',
    particular: (api) => {
      it('runs the gateway and one process with every module: one hop to anything', async () => {
        const groups = await groupsOf(api)
        expect(groups.map((g) => [g.name, g.modules!.length])).toEqual([['monolith', 15]])
        expect((await api('/api/products/p-0001')).headers.get('x-hops')).toBe('1')
      })
    },
  },
  {
    layout: 'by-domain',
    particular: (api) => {
      it('runs one process per domain group and says which modules each runs', async () => {
        const groups = await groupsOf(api)
        expect(groups.map((g) => g.name)).toEqual([
          'shop-reads',
          'shop-writes',
          'payments',
          'messaging',
          'loans',
        ])
        expect(groups.every((g) => g.healthy && g.runtime.startsWith('bun'))).toBe(true)
        expect(groups.find((g) => g.name === 'shop-writes')!.modules).toEqual([
          'users',
          'orders',
          'checkout',
          'shipping',
        ])
      })

      it('serves the product page from one process: one hop, nothing degraded', async () => {
        const res = await api('/api/products/p-0001')
        expect(res.status).toBe(200)
        // the gateway's hop to shop-reads; catalog, pricing, reviews and stock are in-process
        expect(res.headers.get('x-hops')).toBe('1')
        expect(((await res.json()) as any).degraded).toEqual([])
      })
    },
  },
  {
    // payments alone on Node (so killing it leaves the rest up); notifications and reporting are
    // left out, so each gets a process of its own
    layout:
      'storefront+catalog+pricing+reviews+inventory,users+orders+checkout+shipping,node:payments,loan-validation+credit-check+loan-approval',
    particular: (api) => {
      it('runs the named groups, payments on Node, a process for each module left out', async () => {
        const groups = await groupsOf(api)
        expect(groups.map((g) => `${g.name}:${g.runtime.split(' ')[0]}`)).toEqual([
          'storefront:bun',
          'users:bun',
          'payments:node',
          'loan-validation:bun',
          'notifications:bun',
          'reporting:bun',
        ])
        expect(groups.every((g) => g.healthy)).toBe(true)
      })
    },
  },
]

for (const [i, c] of CASES.entries()) {
  describe(`twinstack micro --layout ${c.layout}`, () => {
    let dataDir = ''
    let micro: Started | undefined
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'twinstack-layouts-'))
      micro = await startMicro(dataDir, ['--no-restart', '--layout', c.layout])
    }, 120_000)
    afterAll(async () => {
      await micro?.stop()
      rmSync(dataDir, { recursive: true, force: true })
    })
    const url = () => micro!.url
    const api: Api = (path, init = {}) => fetch(`${url()}${path}`, init)

    c.particular(api, url)

    apiSuite(`layout ${c.layout}`, url)

    describe('under failure: the group hosting payments killed', () => {
      let admin = ''
      const user = { id: '', token: '' }
      const control = (action: string, module: string) =>
        api(`/_/control/${action}/${module}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${admin}` },
        })
      const checkout = () =>
        api('/api/checkout', {
          method: 'POST',
          headers: { ...json, Authorization: `Bearer ${user.token}` },
          body: JSON.stringify({ items: [{ productId: 'p-0021', quantity: 1 }], card: CARD_OK }),
          // a generous cap: a hanging checkout fails here with its own message
          signal: AbortSignal.timeout(30_000),
        })

      beforeAll(async () => {
        admin = await loginAt(url(), 'admin@twinstack.dev', 'admin-password')
        user.token = await loginAt(url(), `demo${12 + i}@twinstack.dev`, 'demo-password')
        user.id = JSON.parse(atob(user.token.split('.')[1]!)).sub
      })

      it('answers checkout 503 problem+json, keeps what does not need the group, and recovers', async () => {
        const groups = await groupsOf(api)
        const host = groups.find((g) => g.modules!.includes('payments'))!
        expect(endpointsNeeding(host.modules!)).toContain('POST /api/checkout')

        // a module name stands for its group
        expect((await control('kill', 'payments')).status).toBe(200)
        await eventually(async () => {
          const g = (await groupsOf(api)).find((x) => x.name === host.name)!
          expect(g.healthy).toBe(false)
        }, 20_000)

        const failed = await checkout()
        expect(failed.status).toBe(503)
        expect(failed.headers.get('content-type')).toContain('application/problem+json')
        expect(failed.headers.get('retry-after')).toBeTruthy()

        await expectOthersAnswer(url(), host.modules!, user)

        expect((await control('start', 'payments')).status).toBe(200)
        const ok = await eventually(async () => {
          const res = await checkout()
          expect(res.status).toBe(201)
          return (await res.json()) as any
        }, 60_000)
        expect(ok.status).toBe('confirmed')
      }, 120_000)
    })
  })
}
