import { describe, expect, it } from 'bun:test'
import type { OpenBreaker } from './breaker-probe.ts'
import { run, sampleResults } from './fixture.ts'
import { productPageCeiling } from './hop-floor.ts'
import {
  aggregatorText,
  ceilingText,
  gatewayLadderText,
  headline,
  healthyTail,
  hopLadderText,
  hopTargetsText,
  ladderText,
  processBreakdown,
  splitFloor,
  verdict,
} from './report-model.ts'
import { type LimitRatio, limitRatio, summarise } from './results.ts'

// withSplit gives a sample run scenario 1's product page cell: the plain route, the monolith,
// the bare split and the microservices, each at a CPU per page of cores / rps, with their
// one-at-a-time latencies
function withSplit() {
  const r = sampleResults()
  const cell = [
    run('limits', 'product page', 'reference', 20_000, 1, { serverCores: 1 }), // 50 µs
    run('limits', 'product page', 'monolith', 10_000, 1, { serverCores: 1 }), // 100 µs
    run('limits', 'product page', 'bare-split', 4000, 5, { serverCores: 2 }), // 500 µs
    run('limits', 'product page', 'micro', 1000, 20, { serverCores: 2 }), // 2000 µs
  ]
  const l = r.scenarios.limits!
  l.runs = [...l.runs, ...cell]
  l.summary = summarise(l.runs)
  const ratio = (id: string, subject: string, limit: string) =>
    limitRatio(cell, { id, label: id, cell: 'product page', subject, limit, target: {} })
  l.ratios = [
    ratio('split-monolith', 'bare-split', 'monolith'),
    ratio('micro-split', 'micro', 'bare-split'),
  ]
  l.unloaded = [
    { server: 'reference', p50Ms: 0.2, hops: null },
    { server: 'monolith', p50Ms: 0.4, hops: null },
    { server: 'bare-split', p50Ms: 1.2, hops: 5 },
    { server: 'micro', p50Ms: 2.9, hops: 5 },
  ]
  return r
}

describe('the ceiling of the microservices', () => {
  it('is the monolith CPU per page over that plus every hop at the bare floor', () => {
    // 50 µs per page, 5 hops of 20 µs: 50 / 150
    expect(productPageCeiling(50, 5, 20)).toBeCloseTo(1 / 3, 9)
    expect(productPageCeiling(null, 5, 20)).toBeNull()
    expect(productPageCeiling(50, 0, 20)).toBeNull()
  })
  it('is stated against the 0.4× target with the share of it reached', () => {
    const r = sampleResults()
    r.scenarios.limits!.hopFloor = { calls: 1, cpuUs: 400, latencyMs: 0.05, concurrency: 16 }
    const [line] = ceilingText(r)
    expect(line).toContain('out of reach')
    r.scenarios.limits!.hopFloor = { calls: 1, cpuUs: 1, latencyMs: 0.05, concurrency: 16 }
    expect(ceilingText(r)[0]).toContain('within reach')
    delete r.scenarios.limits!.hopFloor
    expect(ceilingText(r)).toEqual([])
  })
})

describe('the measured ceiling: the same queries split on bare hops', () => {
  it('gives the cost of a hop on the bare split and on ours from the same cell', () => {
    const hop = splitFloor(withSplit())!
    expect(hop.hops).toBe(5)
    // (500 - 50) / 5 and (2000 - 100) / 5 µs; (1.2 - 0.2) / 5 and (2.9 - 0.4) / 5 ms
    expect(hop.floor.cpuUs).toBeCloseTo(90, 6)
    expect(hop.ours.cpuUs).toBeCloseTo(380, 6)
    expect(hop.floor.latencyMs).toBeCloseTo(0.2, 6)
    expect(hop.ours.latencyMs).toBeCloseTo(0.5, 6)
  })
  it('states the bare split against the 0.4× target, and ours against the bare split', () => {
    const r = withSplit()
    const [line] = ceilingText(r)
    expect(line).toContain('measured')
    expect(line).toContain('0.40×') // 4,000 ÷ 10,000
    expect(line).toContain('within reach')
    expect(line).toContain('0.25× of that bare split') // 1,000 ÷ 4,000
    r.scenarios.limits!.ratios = r.scenarios.limits!.ratios!.map((x) =>
      x.id === 'split-monolith' ? { ...x, throughput: 0.3 } : x,
    )
    expect(ceilingText(r)[0]).toContain('out of reach')
  })
  it("sets each hop target beside the bare split's floor", () => {
    const r = withSplit()
    const text = hopTargetsText(headline(r), [], r)
    expect(text).toContain('ours cost 380 µs and 0.500 ms per hop')
    expect(text).toContain('90 µs and 0.200 ms')
    expect(hopTargetsText(headline(sampleResults()), [], sampleResults())).not.toContain(
      'bare split',
    )
  })
})

describe('the open breaker target', () => {
  const probe = (p99: number, expected = 40): OpenBreaker => ({
    target: 'reviews',
    openAfterMs: 300,
    probes: [
      {
        endpoint: 'product page',
        samples: 40,
        statuses: { 200: 40 },
        expected,
        p50Ms: 1,
        p99Ms: p99,
      },
      { endpoint: 'reviews', samples: 40, statuses: { 503: 40 }, expected: 40, p50Ms: 1, p99Ms: 2 },
    ],
  })
  it('is judged one request at a time, the paced figure beside it', () => {
    const r = withSplit()
    r.scenarios.limits!.openBreaker = probe(3.2)
    const paced = [{ deployment: 'micro', saturated: false, openBreakerP99Ms: 57.5 }] as never
    const text = hopTargetsText(headline(r), paced, r)
    expect(text).toContain('3.20 ms one request at a time')
    expect(text).toContain(': met;')
    expect(text).toContain('57.5 ms under the paced load')
    r.scenarios.limits!.openBreaker = probe(7)
    expect(hopTargetsText(headline(r), paced, r)).toContain(
      '7.00 ms one request at a time, scenario 1, worst of product page and reviews: not met',
    )
  })
  it('is not met when an answer was not what an open breaker gives', () => {
    const r = withSplit()
    r.scenarios.limits!.openBreaker = probe(1, 39)
    expect(hopTargetsText(headline(r), [], r)).toContain('not met (not every answer')
  })
  it('falls back to the paced figure without the probe', () => {
    const r = withSplit()
    const paced = [{ deployment: 'micro', saturated: false, openBreakerP99Ms: 4 }] as never
    expect(hopTargetsText(headline(r), paced, r)).toContain(
      '4.00 ms under the paced load, worst fault run: met',
    )
  })
})

describe('the product page process by process', () => {
  it('sets each process of ours beside the same process of the bare split, per page', () => {
    const r = withSplit()
    const l = r.scenarios.limits!
    for (const x of l.runs) {
      if (x.deployment === 'bare-split') {
        // 4,000 pages/s: 0.4 cores is 100 µs per page
        x.serverCoresByRole = { gateway: 0.4, storefront: 0.8, catalog: 0.2, pricing: 0.2 }
      }
      if (x.deployment === 'micro') {
        // 1,000 pages/s; users and orders sit idle beside the page's path
        x.serverCoresByRole = {
          gateway: 0.3,
          storefront: 0.6,
          catalog: 0.2,
          users: 0.01,
          orders: 0.02,
        }
      }
    }
    const b = processBreakdown(l.runs)
    const row = (role: string) => b.find((x) => x.role === role)!
    expect(b.map((x) => x.role)).toEqual([
      'gateway',
      'storefront',
      'catalog',
      'pricing',
      'reviews',
      'inventory',
      'others',
    ])
    expect(row('gateway').bareUs).toBeCloseTo(100, 6)
    expect(row('gateway').oursUs).toBeCloseTo(300, 6)
    expect(row('storefront').oursUs).toBeCloseTo(600, 6)
    expect(row('pricing').oursUs).toBeNull()
    expect(row('reviews').bareUs).toBeNull()
    expect(row('others').oursUs).toBeCloseTo(30, 6)
    // without figures by process (results written before they were kept), no table
    expect(processBreakdown(sampleResults().scenarios.limits!.runs)).toEqual([])
  })
})

describe('the aggregator over our leaves', () => {
  it("sets the bare aggregator's CPU over our leaves beside its own over bare ones and ours", () => {
    const r = withSplit()
    const l = r.scenarios.limits!
    const cell = 'aggregator over our leaves'
    const byRole = { 'bare-aggregator': 0.5, storefront: 0.6 } as Record<string, number>
    for (const d of ['bare-aggregator', 'storefront']) {
      // 2,000 pages/s; our leaves serve both
      const x = run('limits', cell, d, 2000, 1)
      x.serverCoresByRole = { storefront: byRole[d]!, catalog: 0.1, gateway: 0.01 }
      l.runs.push(x)
    }
    for (const x of l.runs) {
      if (x.cell === 'product page' && x.serverCoresByRole === undefined) {
        x.serverCoresByRole = { storefront: (x.rps * 100) / 1e6 }
      }
    }
    const b = processBreakdown(l.runs, { cell, bare: 'bare-aggregator', ours: 'storefront' })
    expect(b.find((x) => x.role === 'storefront')).toMatchObject({ bareUs: 250, oursUs: 300 })
    const [line] = aggregatorText(l.runs)
    expect(line).toContain('spends 250 µs of CPU per page calling our four leaves')
    expect(line).toContain('against 100 calling the bare split')
    expect(line).toContain('our storefront over the same leaves 300 µs')
    // no such cell, no sentence
    expect(aggregatorText(sampleResults().scenarios.limits!.runs)).toEqual([])
  })
})

describe('the cost ladder', () => {
  it('gives each layer with what it adds to the one below', () => {
    const [line] = ladderText(
      { pages: 10, rounds: 2, rawUs: 20, honoUs: 24, modulesUs: 26, pageUs: 28, appUs: 40 },
      52,
    )
    expect(line).toContain('20.0 µs')
    expect(line).toContain('40.0 µs (+12.0)')
    expect(line).toContain('52 µs per page')
    expect(ladderText(undefined, 52)).toEqual([])
    // with the snapshot step, the modules are measured from it
    const [withSnapshot] = ladderText(
      {
        pages: 10,
        rounds: 2,
        rawUs: 20,
        togetherUs: 12,
        honoUs: 24,
        modulesUs: 16,
        pageUs: 28,
        appUs: 40,
      },
      52,
    )
    expect(withSnapshot).toContain('in one read transaction 12.0 µs (−8.00')
    expect(withSnapshot).toContain('row mapping, one snapshot) 16.0 µs (+4.00)')
  })
})

describe('a ratio between two references', () => {
  it('explains a target instead of meeting one', () => {
    const l: LimitRatio = {
      id: 'x',
      label: 'x',
      cell: 'c',
      subject: 'a',
      limit: 'b',
      target: {},
      measured: true,
      throughput: 0.5,
      throughputRange: null,
      p99: 1,
      p99Range: null,
      flags: [],
      repeats: 1,
    }
    expect(verdict(l)).toBe('explains the row above')
    expect(verdict({ ...l, target: { throughput: 0.4 } })).toBe('met')
  })
})

describe('the hop ladder', () => {
  const steps = { bare: 60, hono: 63, route: 71, platform: 83, service: 86, client: 88, link: 96 }
  it('gives each layer of a hop with what it adds, and the layer that adds the most', () => {
    const [line] = hopLadderText({ calls: 100, rounds: 3, concurrency: 16, steps }, null)
    expect(line).toContain('prepared statement 60.0 µs')
    expect(line).toContain('Hono route 63.0 µs (+3.00)')
    expect(line).toContain('bounded body) 83.0 µs (+12.0)')
    expect(line).toContain('hop count) 96.0 µs (+8.00)')
    expect(line).toContain('1.60× a bare one, the most of it (12.0 µs) in the platform')
    expect(line).not.toContain('Under the product page')
    expect(hopLadderText(undefined, null)).toEqual([])
  })

  it('sets the hop beside what a hop cost on the loaded product page', () => {
    const onPage = {
      hops: 5,
      floor: { cpuUs: 90, latencyMs: 0.1 },
      ours: { cpuUs: 240, latencyMs: 0.3 },
    }
    const [line] = hopLadderText({ calls: 100, rounds: 3, concurrency: 16, steps }, onPage)
    expect(line).toContain('a hop cost 240 µs on ours and 90 on the bare split: 2.50× and 1.50×')
  })
})

describe('the open breaker beside the healthy tail', () => {
  it("sets the healthy page's p99 one request at a time on ours and the bare split", () => {
    const line = healthyTail([
      { server: 'monolith', p50Ms: 0.2, p99Ms: 2, hops: 0 },
      { server: 'micro', p50Ms: 1, p99Ms: 6.5, hops: 5 },
      { server: 'bare-split', p50Ms: 0.5, p99Ms: 3.25, hops: null },
    ])
    expect(line).toContain('p99 6.50 ms on ours and 3.25 ms on the bare split')
    // results from before the tail was kept say nothing
    expect(healthyTail([{ server: 'micro', p50Ms: 1, hops: 5 }])).toBe('')
    expect(healthyTail(undefined)).toBe('')
  })
})

describe('the gateway ladder', () => {
  it('gives each layer of a forwarded request with what it adds, and the whole against the bare proxy', () => {
    const steps = { bare: 100, answered: 110, platform: 135, gateway: 150 }
    const [line] = gatewayLadderText({ calls: 100, rounds: 3, concurrency: 16, steps })
    expect(line).toContain('service token added) 100 µs')
    expect(line).toContain('hop-by-hop ones off) 110 µs (+10.0)')
    expect(line).toContain('metrics) 135 µs (+25.0)')
    expect(line).toContain('trace headers upstream) 150 µs (+15.0): 1.50× the bare proxy')
    expect(gatewayLadderText(undefined)).toEqual([])
  })
})
