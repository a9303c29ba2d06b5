import { describe, expect, it } from 'bun:test'
import { sampleResults } from './fixture.ts'
import { layoutsFixture } from './fixture-layouts.ts'
import {
  blastRadius,
  groupsOf,
  LAYOUTS,
  type LayoutSpec,
  layoutMismatch,
  type ProcessGroup,
  parseLayout,
  runtimeMismatch,
  saturatedBeforeKill,
} from './layouts.ts'
import { writeHtmlReport } from './report-html.ts'
import {
  layoutBase,
  layoutFigures,
  layoutRows,
  layoutsChart,
  layoutTargetsText,
  technologyTable,
} from './report-layouts.ts'
import { writeMarkdownReport } from './report-md.ts'
import { headlineLines } from './report-model.ts'
import { deploymentsCovered } from './results.ts'
import { htmlProblems, markdownProblems } from './validate.ts'

// section cuts report.md's scenario 9 out of the whole
const section = (md: string) => md.slice(md.indexOf('## 9 Layouts'), md.indexOf('\n## What'))
const spec = (id: string) => LAYOUTS.find((l) => l.id === id)!
const group = (name: string, modules: string[], runtime = 'bun'): ProcessGroup => ({
  name,
  modules,
  runtime,
  pids: [1],
})

describe('layouts report', () => {
  it('divides by the monolith layout, or by the monolith deployment when it did not run', () => {
    const f8 = layoutsFixture()
    expect(layoutBase(f8)?.id).toBe('monolith')
    const micro = layoutFigures(f8).find((x) => x.layout.id === 'micro')!
    expect(micro.ratios.productRps).toBeCloseTo(800 / 2000, 6)
    // p99 is 4 × p50 in the fixture: 20 ms over 8 ms
    expect(micro.ratios.productP99).toBeCloseTo(2.5, 6)
    expect(micro.ratios.checkoutRps).toBeCloseTo(0.5, 6)
    // same server cores (1.5) over fewer requests: CPU per request 2.5× the base's
    expect(micro.ratios.productCpu).toBeCloseTo(2.5, 6)
    expect(micro.ratios.rss).toBeCloseTo(6, 6)
    f8.layouts[1]!.available = false
    expect(layoutBase(f8)?.id).toBe('monolith-deployment')
    expect(layoutFigures(f8).find((x) => x.layout.id === 'micro')!.ratios.productRps).toBeCloseTo(
      800 / 3000,
      6,
    )
  })

  it('has one row per layout with ratios, blast radius and "not available" for what did not run', () => {
    const rows = layoutRows(layoutsFixture())
    expect(rows.map((r) => r[0])).toEqual([
      'monolith deployment',
      'monolith layout',
      'by-domain',
      'micro',
      'custom (payments on node)',
    ])
    const micro = rows[3]!
    expect(micro.slice(1, 6)).toEqual([
      '16',
      '800 (0.40×)',
      '20.0 (2.50×)',
      '100 (0.50×)',
      '200 (2.50×)',
    ])
    expect(micro.slice(7, 11)).toEqual(['5 · 8', '1200 MiB (6.00×)', '17 %', '100 %'])
    expect(rows[1]!.slice(9, 11)).toEqual(['100 %', '0 %'])
    expect(rows[2]!.slice(1, 11).every((c) => c === 'not available')).toBe(true)
  })

  it('renders the section in report.md and the technology row, never a made-up figure', () => {
    const md = writeMarkdownReport(sampleResults())
    expect(markdownProblems(md)).toEqual([])
    const part = section(md)
    expect(part).toContain('Ratios (in parentheses) are to the monolith layout.')
    expect(part).toContain('Not available: by-domain (this build does not run --layout by-domain).')
    expect(part).toContain('payments+notifications (node)')
    expect(part).toContain('micro: killing payments took down checkout (as the manifests predict)')
    expect(part).toContain('| bun | 5,000 | 3.00 | 60 MiB | 0.32 s |')
    expect(part).toContain(
      '| node | not available | not available | not available | not available |',
    )
    expect(part).toContain('node: asked for node, reviews runs on bun.')
  })

  it('says when the blast radius differs from what the manifests predict', () => {
    const r = sampleResults()
    r.scenarios.layouts!.layouts[3]!.blast!.expectedDown = ['checkout', 'order with events']
    expect(section(writeMarkdownReport(r))).toContain(
      'micro: killing payments took down checkout (the manifests predict checkout, order with events)',
    )
  })

  it('lists its flagged runs with the others', () => {
    const r = sampleResults()
    r.scenarios.layouts!.layouts[3]!.runs[0]!.flags = ['cpu-saturated']
    const md = writeMarkdownReport(r)
    expect(md).toContain('| layouts · product page · micro #1 | cpu-saturated |')
    expect(section(md)).toContain('| micro | 16 |')
  })

  it('says which layout failed and why, apart from those not available', () => {
    const r = sampleResults()
    const custom = r.scenarios.layouts!.layouts[4]!
    Object.assign(custom, { available: false, failed: 'login demo6: 503', runs: [], blast: null })
    const md = section(writeMarkdownReport(r))
    expect(md).toContain('Failed: custom (payments on node) (login demo6: 503).')
    expect(md).toContain('| custom (payments on node) | failed | failed |')
    expect(md).not.toContain('custom (payments on node) (this build')
    const chart = layoutsChart(r.scenarios.layouts!)
    expect(chart.kind === 'combo' && chart.labels[4]).toBe('custom (payments on node) (failed)')
  })

  it('says in the row when a Node group ran on Bun', () => {
    const f8 = layoutsFixture()
    f8.layouts[4]!.nodeMissing = true
    expect(layoutRows(f8)[4]![0]).toBe('custom (payments on node) (ran on bun: no node)')
  })

  it('says when the technology row was not measured', () => {
    const f8 = layoutsFixture()
    f8.technology = null
    expect(technologyTable(f8)).toBeNull()
    const r = sampleResults()
    r.scenarios.layouts = f8
    expect(section(writeMarkdownReport(r))).toContain('Technology (Bun vs Node): not measured')
  })

  it('draws one chart with the layouts on the x-axis, gaps where a layout did not run', () => {
    const c = layoutsChart(layoutsFixture())
    if (c.kind !== 'combo') throw new Error(`kind ${c.kind}`)
    expect(c.labels[2]).toBe('by-domain (n/a)')
    expect(c.series.map((s) => `${s.type}:${s.axis}`)).toEqual(['bar:y', 'line:y1', 'line:y2'])
    expect(c.series[0]!.values).toEqual([3000, 2000, null, 800, 1500])
    expect(c.series[2]!.values[3]).toBeCloseTo(100 / 6, 6)
    const html = writeHtmlReport(sampleResults(), '/* lib */')
    expect(htmlProblems(html)).toEqual([])
    expect(html).toContain('"kind":"combo"')
    expect(html.match(/"kind":"combo"/g)).toHaveLength(1)
  })

  it('says it in one headline sentence', () => {
    expect(headlineLines(sampleResults())).toContain(
      'Layouts, product page req/s (× the monolith layout): monolith layout 2,000, ' +
        'monolith deployment 3,000 (1.50×), by-domain not available, micro 800 (0.40×), ' +
        'custom (payments on node) 1,500 (0.75×); share of the endpoints down once the process ' +
        'hosting payments is killed: monolith layout 100 %, monolith deployment 100 %, micro 17 %, ' +
        'custom (payments on node) 17 %.',
    )
  })

  it('counts the monolith deployment and the micro layouts as both deployments', () => {
    expect(deploymentsCovered(sampleResults()).layouts).toEqual(['micro', 'monolith'])
  })
})

describe('layout targets', () => {
  // by-domain measured: the fixture's micro layout under another name
  const withByDomain = (unrelatedServed: number) => {
    const f8 = layoutsFixture()
    const micro = f8.layouts.find((l) => l.id === 'micro')!
    const byDomain = {
      ...micro,
      id: 'by-domain',
      label: 'by-domain',
      runs: micro.runs.map((r) => ({ ...r, deployment: 'by-domain' })),
      blast: { ...micro.blast!, saturated: false, unrelatedServed },
    }
    f8.layouts = f8.layouts.map((l) => (l.id === 'by-domain' ? byDomain : l))
    return f8
  }
  it('judges by-domain against 0.9× the monolith and 99.9 % of the unrelated endpoints', () => {
    const met = layoutTargetsText(withByDomain(1))!
    expect(met).toContain("the monolith layout's throughput")
    expect(met).toContain('target ≥ 99.9 %: met')
    // micro's product page in the fixture is far below the monolith's
    expect(met).toContain('target ≥ 0.9×: not met against the layout')
    expect(layoutTargetsText(withByDomain(0.99))).toContain('target ≥ 99.9 %: not met')
  })
  it('says nothing when by-domain did not run', () => {
    expect(layoutTargetsText(layoutsFixture())).toBeNull()
  })
})

describe('blastRadius', () => {
  const streams = [
    // t (ms), latency, status: served before the kill at 1000 ms, then as given
    {
      name: 'product page',
      records: [
        [100, 1, 200],
        [1500, 1, 200],
        [1900, 1, 200],
      ] as const,
    },
    {
      name: 'checkout',
      records: [
        [100, 1, 201],
        [1500, 1, 503],
        [1900, 1, 503],
      ] as const,
    },
    {
      name: 'sales report',
      records: [
        [100, 1, 200],
        [1500, 1, 200],
        [1900, 1, 0],
      ] as const,
    },
  ].map((s) => ({ ...s, records: s.records.map((r) => [...r] as [number, number, number]) }))

  it('counts endpoints under half served and what the unrelated ones kept', () => {
    const b = blastRadius(
      { name: 'payments', modules: ['payments'] },
      streams,
      { from: 1000, to: 2000 },
      false,
      { needing: ['checkout'], expected: ['checkout'] },
    )
    expect(b.endpoints.map((e) => e.availabilityDuring)).toEqual([1, 0, 0.5])
    expect(b.endpoints.map((e) => e.availabilityBefore)).toEqual([1, 1, 1])
    expect(b.endpointsDown).toBeCloseTo(1 / 3, 6)
    expect(b.unrelatedServed).toBe(0.75)
  })
  it('calls a run saturated when it served under 95 % before the kill (in-flight ones aside)', () => {
    const rec = (t: number, status: number): [number, number, number] => [t, 1, status]
    const served = Array.from({ length: 19 }, (_, i) => rec(i * 50, 200))
    // a request sent 100 ms before the kill at 1000 ms and failed by it does not count
    expect(saturatedBeforeKill([{ records: [...served, rec(900, 0)] }], 1000)).toBe(false)
    expect(
      saturatedBeforeKill([{ records: [...served, rec(100, 503), rec(200, 503)] }], 1000),
    ).toBe(true)
    expect(saturatedBeforeKill([{ records: served }], null)).toBe(true)
  })
  it('draws no figure from a run saturated before the kill', () => {
    const b = blastRadius({ name: 'x', modules: [] }, streams, { from: 1000, to: 2000 }, true, {
      needing: ['checkout'],
      expected: [],
    })
    expect(b.endpointsDown).toBeNull()
    expect(b.unrelatedServed).toBeNull()
  })
})

describe('layout checks', () => {
  const micro = ['users', 'catalog', 'payments'].map((m) => group(m, [m]))
  it('reads a custom layout into groups and runtimes', () => {
    expect(parseLayout('a+b, node:c ,node:g=d+e')).toEqual([
      { modules: ['a', 'b'], runtime: 'bun' },
      { modules: ['c'], runtime: 'node' },
      { modules: ['d', 'e'], runtime: 'node' },
    ])
  })
  it('finds a deployment that ignored --layout', () => {
    expect(layoutMismatch(spec('micro'), micro)).toBeNull()
    expect(layoutMismatch(spec('monolith'), micro)).toBe('3 processes run, not one group')
    expect(layoutMismatch(spec('monolith'), [group('all', ['users', 'payments'])])).toBeNull()
    // orders and checkout share a process in the default topology already
    expect(
      layoutMismatch(spec('by-domain'), [...micro, group('orders', ['orders', 'checkout'])]),
    ).toBe('every module still runs in a process of its own')
    expect(layoutMismatch(spec('by-domain'), [group('shop', ['catalog', 'pricing'])])).toBeNull()
    const custom: LayoutSpec = {
      id: 'c',
      label: 'c',
      deployment: 'micro',
      layout: 'users,node:catalog+payments',
    }
    expect(layoutMismatch(custom, micro)).toBe('no process runs catalog+payments')
    const grouped = [group('users', ['users']), group('g', ['payments', 'catalog'], 'node')]
    expect(layoutMismatch(custom, grouped)).toBeNull()
    expect(runtimeMismatch(custom, grouped)).toEqual([])
    expect(
      runtimeMismatch(custom, [group('users', ['users']), group('g', ['payments', 'catalog'])]),
    ).toEqual(['g runs on bun, not node'])
  })
  it('reads modules and runtime from /_/status, one group per process name', () => {
    const groups = groupsOf(
      [
        { name: 'gateway', pid: 1 },
        { name: 'storefront', pid: 2 },
        { name: 'storefront', pid: 3 },
        { name: 'g', pid: 4, modules: ['payments', 'notifications'], runtime: 'node' },
      ],
      (pid) => (pid === 4 ? null : 'bun'),
    )
    expect(groups).toEqual([
      { name: 'storefront', modules: ['storefront'], runtime: 'bun', pids: [2, 3] },
      { name: 'g', modules: ['payments', 'notifications'], runtime: 'node', pids: [4] },
    ])
  })
})
