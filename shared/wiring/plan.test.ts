import { describe, expect, it } from 'bun:test'
import { Hono } from 'hono'
import {
  hostOf,
  isLocal,
  makePlan,
  parseLayout,
  planFor,
  replicaSockets,
  routeTable,
} from './plan.ts'
import { consumerGroups, endpointsNeeding, registry } from './registry.ts'

const everyModule = registry.map((m) => m.name).sort()
const placed = (layout: string) =>
  planFor(layout)
    .services.flatMap((s) => s.modules)
    .sort()

describe('planFor', () => {
  it('keeps the micro layout as the deployment has always run', () => {
    const p = planFor('micro')
    expect(
      p.services.map((s) => [s.name, s.modules.join('+'), s.port, s.replicas, s.database]),
    ).toEqual([
      ['users', 'users', 4100, 1, 'users-orders.db'],
      ['catalog', 'catalog', 4110, 1, 'catalog.db'],
      ['pricing', 'pricing', 4120, 1, 'pricing.db'],
      ['reviews', 'reviews', 4130, 1, 'reviews.db'],
      ['inventory', 'inventory', 4140, 1, 'inventory.db'],
      ['storefront', 'storefront', 4150, 2, null],
      ['orders', 'orders+checkout', 4160, 1, 'users-orders.db'],
      ['payments', 'payments', 4170, 1, 'payments.db'],
      ['shipping', 'shipping', 4180, 1, null],
      ['notifications', 'notifications', 4190, 1, 'notifications.db'],
      ['reporting', 'reporting', 4200, 1, 'reporting.db'],
      ['loan-validation', 'loan-validation', 4210, 1, 'loans.db'],
      ['credit-check', 'credit-check', 4220, 1, 'credit.db'],
      ['loan-approval', 'loan-approval', 4230, 1, null],
    ])
    expect(p.gateway.port).toBe(4000)
    expect(p.groups).toEqual({ payments: ['notifications'], orders: ['reporting'] })
    expect(p.sharedData).toEqual([{ modules: ['users', 'orders'], database: 'users-orders.db' }])
    const calls = Object.fromEntries(p.services.map((s) => [s.name, s.calls]))
    expect(calls).toMatchObject({
      users: [],
      reviews: ['catalog'],
      storefront: ['catalog', 'pricing', 'reviews', 'inventory'],
      // orders reads users in its own database file (shared data): no call
      orders: ['catalog', 'pricing', 'inventory', 'payments', 'shipping'],
      reporting: ['orders'],
      'loan-validation': ['credit-check'],
      'credit-check': ['loan-approval'],
    })
    expect(p.services.every((s) => s.runtime === 'bun' && s.host === 'local')).toBe(true)
  })

  it('runs every module in one group for the monolith layout', () => {
    const p = planFor('monolith')
    expect(p.services).toHaveLength(1)
    expect(p.services[0]).toMatchObject({ name: 'monolith', database: 'monolith.db', calls: [] })
    expect(placed('monolith')).toEqual(everyModule)
    expect(p.sharedData).toEqual([{ modules: ['users', 'orders'], database: 'monolith.db' }])
  })

  it('groups modules by domain in five processes, payments on its own', () => {
    const p = planFor('by-domain')
    expect(p.services.map((s) => [s.name, s.database, s.port])).toEqual([
      ['shop-reads', 'shop-reads.db', 4100],
      ['shop-writes', 'shop-writes.db', 4110],
      ['payments', 'payments.db', 4120],
      ['messaging', 'messaging.db', 4130],
      ['loans', 'loans.db', 4140],
    ])
    expect(placed('by-domain')).toEqual(everyModule)
    const calls = Object.fromEntries(p.services.map((s) => [s.name, s.calls]))
    expect(calls).toEqual({
      'shop-reads': [],
      'shop-writes': ['shop-reads', 'payments'],
      payments: [],
      messaging: ['shop-writes'],
      loans: [],
    })
  })

  it('places the modules a custom layout leaves out in a process each, checkout with orders', () => {
    const p = planFor(
      'storefront+catalog+pricing+reviews+inventory,orders+payments+shipping,node:loan-validation+credit-check',
    )
    expect(p.services.map((s) => [s.name, s.modules.join('+'), s.runtime])).toEqual([
      ['storefront', 'storefront+catalog+pricing+reviews+inventory', 'bun'],
      ['orders', 'orders+payments+shipping+checkout', 'bun'],
      ['loan-validation', 'loan-validation+credit-check', 'node'],
      ['users', 'users', 'bun'],
      ['notifications', 'notifications', 'bun'],
      ['reporting', 'reporting', 'bun'],
      ['loan-approval', 'loan-approval', 'bun'],
    ])
    // users and orders in two groups: one shared file, recorded in the plan
    expect(hostOf(p, 'users').database).toBe('users-orders.db')
    expect(hostOf(p, 'orders').database).toBe('users-orders.db')
    expect(p.sharedData).toEqual([{ modules: ['users', 'orders'], database: 'users-orders.db' }])
    expect(isLocal(p, hostOf(p, 'orders'), 'users')).toBe(true)
    expect(isLocal(p, hostOf(p, 'reporting'), 'orders')).toBe(false)
  })

  it('names a group with name= and reads bun: and spaces', () => {
    expect(parseLayout(' bun:shop = storefront + catalog ,reviews')).toEqual([
      { name: 'shop', modules: ['storefront', 'catalog'], runtime: 'bun' },
      { name: undefined, modules: ['reviews'], runtime: undefined },
    ])
  })

  it('routes every public path to the group hosting its module', () => {
    const table = routeTable(planFor('by-domain'))
    const to = (pattern: string) => table.find((r) => r.pattern === pattern)?.group
    expect(to('/api/products/:id')).toBe('shop-reads')
    expect(to('/api/checkout')).toBe('shop-writes')
    expect(to('/api/orders/:id/cancel')).toBe('shop-writes')
    expect(to('/api/reports/*')).toBe('messaging')
    expect(to('/api/loans')).toBe('loans')
    expect(new Set(table.map((r) => r.pattern)).size).toBe(table.length)
  })
})

describe('planFor refuses', () => {
  const refuses = (layout: string, message: RegExp) =>
    expect(() => planFor(layout)).toThrow(message)

  it('an unknown module, naming it and the known ones', () => {
    refuses('storefront+catalogue', /unknown module "catalogue".*named layouts: monolith/)
  })

  it('an unknown layout name (read as a module)', () => {
    refuses('by-team', /unknown module "by-team"/)
  })

  it('a module placed twice', () => {
    refuses('storefront+catalog,catalog+pricing', /module catalog is placed twice/)
  })

  it('an unknown runtime', () => {
    refuses('deno:storefront+catalog', /unknown runtime "deno" for group storefront/)
  })

  it('an empty group or module', () => {
    refuses('storefront,,catalog', /empty group/)
    refuses('storefront++catalog', /empty module/)
    refuses('', /empty group/)
  })

  it('two groups of one name', () => {
    refuses('a=storefront,a=catalog', /two groups .* named a/)
  })

  it('users and orders split across hosts (they share one database file)', () => {
    expect(() =>
      makePlan('two-hosts', [
        { modules: ['users'], host: 'a' },
        { modules: ['orders', 'checkout'], host: 'b' },
      ]),
    ).toThrow(/shared data split across hosts.*users \(group users on a\) and orders/)
  })
})

describe('derived from the manifests', () => {
  it('match what each module serves: public paths in its public routes, the rest internal', () => {
    const offences: string[] = []
    for (const m of registry) {
      // building the sub-app runs no handler: a stand-in service is enough to read its paths
      const app = new Hono().route('/', m.routes({}))
      for (const r of app.routes) {
        if (r.path.startsWith(m.internalPrefix)) continue
        const gateway = new Hono()
        for (const p of m.publicRoutes) gateway.all(p, (c) => c.text('ok'))
        const routed = gateway.router.match(r.method === 'ALL' ? 'GET' : r.method, r.path)
        if (!r.path.startsWith('/api/') || routed[0].length === 0)
          offences.push(`${m.name} serves ${r.method} ${r.path} outside its public routes`)
      }
      for (const e of m.api) {
        const path = e.path.replace(/\{(\w+)\}/g, ':$1')
        if (!app.routes.some((r) => r.path === path && r.method === e.method.toUpperCase()))
          offences.push(`${m.name} lists ${e.method} ${e.path} but does not serve it`)
      }
    }
    expect(offences).toEqual([])
  })

  it('lists consumer groups per topic', () => {
    expect(consumerGroups()).toEqual({ payments: ['notifications'], orders: ['reporting'] })
  })

  it('tells which endpoints need a module (what the bench expects a failure to touch)', () => {
    const micro = planFor('micro')
    const needing = (group: string) => endpointsNeeding(hostOf(micro, group).modules)
    expect(needing('payments')).toEqual(['POST /api/checkout', 'POST /api/orders/{id}/cancel'])
    expect(needing('reviews')).toEqual([
      'GET /api/products/{id}/reviews',
      'POST /api/products/{id}/reviews',
      'GET /api/products/{id}',
    ])
    expect(needing('storefront')).toEqual(['GET /api/products', 'GET /api/products/{id}'])
    // the read model answers without orders; only its rebuild replays the order store
    expect(needing('orders')).toContain('POST /api/reports/rebuild')
    expect(needing('orders')).not.toContain('GET /api/reports/sales')
    expect(needing('orders')).toContain('GET /api/orders/{id}/events')
  })
})

describe('replicaSockets', () => {
  it('gives each replica on Bun a socket in the directory, none on Node or without one', () => {
    const p = planFor(
      'storefront+catalog+pricing+reviews+inventory,users+orders+checkout+shipping,node:payments,loan-validation+credit-check+loan-approval',
    )
    const bun = p.services.find((s) => s.modules.includes('catalog'))!
    const node = p.services.find((s) => s.modules.includes('payments'))!
    expect(replicaSockets(bun, '/run/t')).toEqual(
      Array.from({ length: bun.replicas }, (_, i) => `/run/t/${bun.name}-${i}.sock`),
    )
    expect(replicaSockets(node, '/run/t')).toEqual(Array(node.replicas).fill(undefined))
    expect(replicaSockets(bun, null)).toEqual(Array(bun.replicas).fill(undefined))
  })

  it('falls back to TCP where the path would not fit a socket address', () => {
    const storefront = planFor('micro').services.find((s) => s.name === 'storefront')!
    const deep = `/${'d'.repeat(120)}`
    expect(replicaSockets(storefront, deep)).toEqual([undefined, undefined])
  })
})
