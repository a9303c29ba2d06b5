import { describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mittTransport } from '../platform/bus/mitt.ts'
import { openApiDocument } from '../platform/http/openapi.ts'
import { defineModule } from '../platform/module.ts'
import { greeter } from '../testing/fixture-module/index.ts'
import { testApp } from '../testing/harness.ts'
import { hostOf, LAYOUTS, planFor, routeTable } from './plan.ts'
import {
  consumerGroups,
  endpointsNeeding,
  publicEndpoints,
  type Registry,
  registry,
} from './registry.ts'
import { wire } from './wire.ts'

// a registry with one more module, added through its manifest alone
const withGreeter: Registry = [...registry, greeter]

describe('A module added through its manifest alone', () => {
  it('is placed by every layout, a process of its own unless a layout names it', () => {
    for (const layout of [
      ...LAYOUTS,
      'storefront+catalog',
      'greeter+catalog,node:loan-validation',
    ]) {
      const plan = planFor(layout, { registry: withGreeter })
      expect(hostOf(plan, 'greeter').modules).toContain('greeter')
    }
    expect(hostOf(planFor('micro', { registry: withGreeter }), 'greeter')).toMatchObject({
      name: 'greeter',
      port: 4240,
      // its inbox needs a database, though it has no tables of its own
      database: 'greeter.db',
      calls: ['catalog'],
    })
    expect(hostOf(planFor('monolith', { registry: withGreeter }), 'greeter').name).toBe('monolith')
  })

  it("is in the gateway's route table, the consumer groups and the OpenAPI document", () => {
    const table = routeTable(planFor('by-domain', { registry: withGreeter }))
    expect(table).toContainEqual({ pattern: '/api/greetings/:id', group: 'greeter' })
    expect(consumerGroups(withGreeter).orders).toEqual(['reporting', 'greeter'])
    const doc = openApiDocument(publicEndpoints(withGreeter), { title: 't', version: '0' }) as any
    expect(doc.paths['/api/greetings/{id}'].get).toBeDefined()
    expect(publicEndpoints().some((e) => e.path.startsWith('/api/greetings'))).toBe(false)
  })

  it("is in the bench's endpoint map: down with catalog, not with pricing", () => {
    expect(endpointsNeeding(['catalog'], withGreeter)).toContain('GET /api/greetings/{id}')
    expect(endpointsNeeding(['pricing'], withGreeter)).not.toContain('GET /api/greetings/{id}')
  })

  it('receives its neighbours typed by their contracts (tsc checks this block)', () => {
    const typed = defineModule({
      ...greeter,
      build: (ctx) => {
        // @ts-expect-error pricing is not among its needs
        void ctx.needs.pricing
        // @ts-expect-error catalog is a Catalog: it has no greet
        void ctx.needs.catalog.greet
        return greeter.build(ctx)
      },
    })
    expect(typed.needs.catalog.module).toBe('catalog')
  })

  it('is wired with a typed in-process neighbour and serves its route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinstack-fixture-'))
    const plan = planFor('greeter+catalog', { registry: withGreeter })
    const wired = await wire(plan, hostOf(plan, 'greeter'), {
      dataDir: dir,
      jwtSecret: 'fixture-secret-fixture-secret-fixture',
      deployment: 'monolith',
      transport: () => mittTransport({ onDeadLetter: () => {} }),
      faultsBy: 'module',
      log: () => {},
    })
    try {
      const app = testApp(...wired.modules.map((m) => m.routes))
      const res = await app.request('/api/greetings/p-0001')
      expect(res.status).toBe(200)
      expect(((await res.json()) as any).greeting).toMatch(/^hello, /)
      expect((await app.request('/api/greetings/p-9999')).status).toBe(404)
    } finally {
      await wired.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
