// Scenario 9's part of the report fixture: four layouts measured, by-domain not available,
// Bun measured and Node not, numbers chosen so ratios are easy to check by hand
import { run } from './fixture.ts'
import type { BlastRadius, LayoutRun, LayoutsFigures } from './layouts.ts'
import { ENDPOINTS } from './plan.ts'

const NAMES = ENDPOINTS.map((e) => e.label)

const MIB = 2 ** 20

// blastOf makes a blast radius where the named endpoints were down and the rest served
const blastOf = (killed: string, modules: string[], down: string[]): BlastRadius => ({
  killed,
  modules,
  expectedDown: down,
  endpoints: NAMES.map((name) => ({
    name,
    requests: 45,
    availabilityBefore: 1,
    availabilityDuring: down.includes(name) ? 0 : 1,
  })),
  endpointsDown: down.length / NAMES.length,
  unrelatedServed: down.length === NAMES.length ? 0 : 1,
  saturated: false,
})

const layout = (
  id: string,
  label: string,
  o: Partial<LayoutRun> & { product: number; checkout: number; p50: number },
): LayoutRun => ({
  id,
  label,
  deployment: id === 'monolith-deployment' ? 'monolith' : 'micro',
  layout: id === 'monolith-deployment' ? null : id,
  available: true,
  groups: [],
  processes: 1,
  startMs: 1000,
  runs: [
    run('layouts', 'product page', id, o.product, o.p50),
    run('layouts', 'checkout', id, o.checkout, o.p50 * 10),
  ],
  hops: { product: 0, checkout: 0 },
  rssBytes: 100 * MIB,
  blast: blastOf('monolith', ['every module'], NAMES),
  notes: [],
  ...o,
})

// layoutsFixture is a complete scenario 9
export function layoutsFixture(): LayoutsFigures {
  return {
    ratePerEndpoint: 15,
    layouts: [
      layout('monolith-deployment', 'monolith deployment', {
        product: 3000,
        checkout: 300,
        p50: 1,
        groups: [{ name: 'monolith', modules: ['every module'], runtime: 'bun', pids: [10] }],
      }),
      layout('monolith', 'monolith layout', {
        product: 2000,
        checkout: 200,
        p50: 2,
        processes: 2,
        rssBytes: 200 * MIB,
        hops: { product: 1, checkout: 1 },
        groups: [{ name: 'all', modules: ['catalog', 'payments'], runtime: 'bun', pids: [11] }],
        blast: blastOf('all', ['catalog', 'payments'], NAMES),
      }),
      {
        id: 'by-domain',
        label: 'by-domain',
        deployment: 'micro',
        layout: 'by-domain',
        available: false,
        reason: 'this build does not run --layout by-domain',
        groups: [],
        processes: null,
        startMs: null,
        runs: [],
        hops: { product: null, checkout: null },
        rssBytes: null,
        blast: null,
        notes: [],
      },
      layout('micro', 'micro', {
        product: 800,
        checkout: 100,
        p50: 5,
        processes: 16,
        rssBytes: 1200 * MIB,
        hops: { product: 5, checkout: 8 },
        groups: [{ name: 'payments', modules: ['payments'], runtime: 'bun', pids: [12] }],
        blast: blastOf('payments', ['payments'], ['checkout']),
      }),
      layout('custom', 'custom (payments on node)', {
        product: 1500,
        checkout: 150,
        p50: 3,
        processes: 6,
        rssBytes: 500 * MIB,
        hops: { product: 2, checkout: 4 },
        groups: [
          {
            name: 'payments+notifications',
            modules: ['payments', 'notifications'],
            runtime: 'node',
            pids: [13],
          },
        ],
        blast: blastOf('payments+notifications', ['payments', 'notifications'], ['checkout']),
      }),
    ],
    technology: {
      service: 'reviews',
      rows: [
        {
          runtime: 'bun',
          available: true,
          run: run('layouts', 'reviews read', 'bun', 5000, 0.75),
          rssBytes: 60 * MIB,
          startMs: [300, 340],
        },
        {
          runtime: 'node',
          available: false,
          reason: 'asked for node, reviews runs on bun',
          run: null,
          rssBytes: null,
          startMs: [],
        },
      ],
    },
  }
}
