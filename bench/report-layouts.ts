// Scenario 8's part of the report: one row per layout with ratios to the monolith layout, one
// chart with the layouts on the x-axis, and the Bun vs Node table
import { type LayoutRun, type LayoutsFigures, layoutLabel, medianStartMs } from './layouts.ts'
import type { Chart, Section, Table } from './report-model.ts'
import { f } from './report-model.ts'
import { type CellSummary, find, type Results, summarise } from './results.ts'
import { ratio } from './stats.ts'

const NA = 'not available'

// layoutBase picks what the ratios divide by: the monolith layout (`--layout monolith`), or the
// monolith deployment when that layout could not run
export function layoutBase(f8: LayoutsFigures): LayoutRun | null {
  const measured = (id: string) => f8.layouts.find((l) => l.id === id && l.available)
  return measured('monolith') ?? measured('monolith-deployment') ?? null
}

// LayoutFigures are one layout's medians, the base's, and their ratios
export interface LayoutFigures {
  layout: LayoutRun
  product: CellSummary | undefined
  checkout: CellSummary | undefined
  ratios: {
    productRps: number | null
    productP99: number | null
    checkoutRps: number | null
    checkoutP99: number | null
    productCpu: number | null
    rss: number | null
  }
}

// layoutFigures summarises every layout against the base
export function layoutFigures(f8: LayoutsFigures): LayoutFigures[] {
  const base = layoutBase(f8)
  const summary = summarise(f8.layouts.flatMap((l) => l.runs))
  const of = (l: LayoutRun | null, cell: string) => (l ? find(summary, cell, l.id) : undefined)
  const bp = of(base, 'product page')
  const bc = of(base, 'checkout')
  return f8.layouts.map((layout) => {
    const product = of(layout, 'product page')
    const checkout = of(layout, 'checkout')
    return {
      layout,
      product,
      checkout,
      ratios: {
        productRps: ratio(product?.rps, bp?.rps),
        productP99: ratio(product?.p99, bp?.p99),
        checkoutRps: ratio(checkout?.rps, bc?.rps),
        checkoutP99: ratio(checkout?.p99, bc?.p99),
        productCpu: ratio(product?.cpuUsPerRequest, bp?.cpuUsPerRequest),
        rss: ratio(layout.rssBytes, base?.rssBytes),
      },
    }
  })
}

const withRatio = (value: string, x: number | null) => (x === null ? value : `${value} (${f.x(x)})`)

// LAYOUT_HEADERS are the columns of the layouts table
export const LAYOUT_HEADERS = [
  'layout',
  'processes',
  'product page req/s',
  'product page p99 ms',
  'checkout req/s',
  'checkout p99 ms',
  'CPU µs/request (product · checkout)',
  'hops (product · checkout)',
  'RSS under load',
  'payments killed: endpoints down',
  'unrelated endpoints served',
  'flags',
]

// layoutRows renders one row per layout; a layout that could not run says so in every cell
export function layoutRows(f8: LayoutsFigures): string[][] {
  return layoutFigures(f8).map(({ layout: l, product, checkout, ratios }) => {
    if (l.failed) return [l.label, ...LAYOUT_HEADERS.slice(1, -1).map(() => 'failed'), '']
    if (!l.available) return [l.label, ...LAYOUT_HEADERS.slice(1, -1).map(() => NA), '']
    const b = l.blast
    return [
      layoutLabel(l),
      f.int(l.processes),
      withRatio(f.int(product?.rps), ratios.productRps),
      withRatio(f.ms(product?.p99), ratios.productP99),
      withRatio(f.int(checkout?.rps), ratios.checkoutRps),
      withRatio(f.ms(checkout?.p99), ratios.checkoutP99),
      `${withRatio(f.int(product?.cpuUsPerRequest), ratios.productCpu)} · ${f.int(checkout?.cpuUsPerRequest)}`,
      `${f.int(l.hops.product)} · ${f.int(l.hops.checkout)}`,
      withRatio(f.mb(l.rssBytes), ratios.rss),
      b ? (b.saturated ? 'saturated' : f.pct(b.endpointsDown, 0)) : 'n/a',
      b ? (b.saturated ? 'saturated' : f.pct(b.unrelatedServed)) : 'n/a',
      f.flags([...new Set([...(product?.flags ?? []), ...(checkout?.flags ?? [])])]),
    ]
  })
}

// layoutsChart is the scenario's one chart: product page throughput bars and p99 line per
// layout, and the share of endpoints that a payments kill takes down (checkout, two orders of
// magnitude slower, would be invisible beside the product page: it stays in the table)
export function layoutsChart(f8: LayoutsFigures): Chart {
  const rows = layoutFigures(f8)
  const v = (pick: (x: LayoutFigures) => number | null | undefined) =>
    rows.map((x) => (x.layout.available ? (pick(x) ?? null) : null))
  return {
    kind: 'combo',
    title: 'Layouts: throughput, p99 and blast radius of a payments kill',
    labels: rows.map((x) =>
      x.layout.available
        ? layoutLabel(x.layout)
        : `${x.layout.label} (${x.layout.failed ? 'failed' : 'n/a'})`,
    ),
    series: [
      { name: 'product page req/s', type: 'bar', axis: 'y', values: v((x) => x.product?.rps) },
      { name: 'product page p99 (ms)', type: 'line', axis: 'y1', values: v((x) => x.product?.p99) },
      {
        name: 'endpoints down with payments killed (%)',
        type: 'line',
        axis: 'y2',
        values: v((x) =>
          x.layout.blast?.endpointsDown == null ? null : x.layout.blast.endpointsDown * 100,
        ),
      },
    ],
    axes: { y: 'req/s', y1: 'ms', y2: '% of endpoints' },
  }
}

// technologyTable is the Bun vs Node row of the same service
export function technologyTable(f8: LayoutsFigures): Table | null {
  const t = f8.technology
  if (!t) return null
  return {
    caption: `${t.service}, one process, read at its own port`,
    headers: ['runtime', 'req/s', 'p99 ms', 'RSS after load', 'start (spawn to healthy)'],
    rows: t.rows.map((r) =>
      r.available && r.run
        ? [
            r.runtime,
            f.int(r.run.rps),
            f.ms(r.run.latency.p99),
            f.mb(r.rssBytes),
            f.s(medianStartMs(r)),
          ]
        : [r.runtime, NA, NA, NA, NA],
    ),
    numeric: [1, 2, 3, 4],
  }
}

// layoutTargetsText judges by-domain against issue 11's targets: its product page at least 0.9×
// the monolith's throughput (the monolith layout behind the same gateway, and the monolith
// deployment without one), and ≥ 99.9 % of the endpoints that do not need payments served
// while payments' process is down
export function layoutTargetsText(f8: LayoutsFigures): string | null {
  const of = (id: string) => f8.layouts.find((l) => l.id === id && l.available)
  const byDomain = of('by-domain')
  if (!byDomain) return null
  const rps = (l: LayoutRun | undefined) =>
    l ? find(summarise(l.runs), 'product page', l.id)?.rps : undefined
  const judged = (x: number | null | undefined, ok: (v: number) => boolean) =>
    x === null || x === undefined ? 'not measured' : ok(x) ? 'met' : 'not met'
  const vsLayout = ratio(rps(byDomain), rps(of('monolith')))
  const vsDeployment = ratio(rps(byDomain), rps(of('monolith-deployment')))
  const blast = byDomain.blast
  const served = blast && !blast.saturated ? blast.unrelatedServed : null
  return (
    `Targets (by-domain): its product page serves ${f.x(vsLayout)} the monolith layout's ` +
    `throughput (both behind the gateway) and ${f.x(vsDeployment)} the monolith deployment's ` +
    `(target ≥ 0.9×: ${judged(vsLayout, (v) => v >= 0.9)} against the layout, ` +
    `${judged(vsDeployment, (v) => v >= 0.9)} against the deployment); with payments' process ` +
    `killed it served ${served === null ? NA : f.pct(served, 1)} of the endpoints that do not ` +
    `need payments (target ≥ 99.9 %: ${judged(served, (v) => v >= 0.999)}).`
  )
}

// layoutsSection is scenario 9 in the report
export function layoutsSection(r: Results): Section | null {
  const f8 = r.scenarios.layouts
  if (!f8) return null
  const base = layoutBase(f8)
  const missing = f8.layouts.filter((l) => !l.available && !l.failed)
  const failed = f8.layouts.filter((l) => l.failed)
  const groups = f8.layouts
    .filter((l) => l.available)
    .map(
      (l) =>
        `${l.label}: ${l.groups.map((g) => `${g.modules.join('+')} (${g.runtime})`).join(', ')}` +
        (l.deployment === 'micro' ? ' + the gateway in the supervisor' : ''),
    )
  const blasts = f8.layouts
    .filter((l) => l.available && l.blast && !l.blast.saturated)
    .map((l) => {
      const b = l.blast!
      const down = b.endpoints.filter((e) => (e.availabilityDuring ?? 1) < 0.5).map((e) => e.name)
      const expected = b.expectedDown
      const same =
        expected && expected.length === down.length && expected.every((e) => down.includes(e))
      return (
        `${l.label}: killing ${b.killed} took down ${down.length ? down.join(', ') : 'nothing'}` +
        (expected
          ? same
            ? ' (as the manifests predict)'
            : ` (the manifests predict ${expected.join(', ') || 'nothing'})`
          : '')
      )
    })
  const notes = f8.layouts.flatMap((l) => l.notes.map((n) => `${l.label}: ${n}`))
  const tech = technologyTable(f8)
  return {
    id: 'layouts',
    title: '9 Layouts',
    paragraphs: [
      'The same code deployed in several process layouts (`twinstack micro --layout …`), with the ' +
        'monolith deployment as the reference point. Per layout: closed-loop product page and ' +
        'checkout (one run each), CPU per request summed over every process of the deployment ' +
        '(/proc), the X-Hops header of an unloaded request, peak RSS of every process under load, ' +
        `and the blast radius of payments' failure: under a paced mixed load (${f.int(f8.ratePerEndpoint)} ` +
        'req/s per endpoint) the process hosting payments is SIGKILLed and not restarted; a layout ' +
        'where payments shares a process loses its neighbours too. "Endpoints down" is the share ' +
        'of endpoints under half served after the kill; "unrelated served" the mean share served ' +
        'of the endpoints that do not need payments (both from the module manifests). A layout ' +
        'that served under 95 % of the paced load before the kill is marked saturated: no blast ' +
        'figure from it.',
      base
        ? `Ratios (in parentheses) are to the ${base.label}.`
        : 'No monolith layout was measured, so there are no ratios.',
      ...(layoutTargetsText(f8) ? [layoutTargetsText(f8)!] : []),
      ...(groups.length ? [`Processes: ${groups.join('; ')}.`] : []),
      ...(blasts.length ? [`Blast radius: ${blasts.join('; ')}.`] : []),
      ...(missing.length
        ? [
            `Not available: ${missing.map((l) => `${l.label} (${l.reason ?? 'not run'})`).join('; ')}.`,
          ]
        : []),
      ...(failed.length
        ? [`Failed: ${failed.map((l) => `${l.label} (${l.failed})`).join('; ')}.`]
        : []),
      ...(notes.length ? [`Notes: ${notes.join('; ')}.`] : []),
      tech
        ? `Technology: the same ${f8.technology!.service} service on Bun and on Node, loaded closed loop at its own port; start is the time from the supervisor's spawn to healthy after a stop.` +
          f8
            .technology!.rows.filter((x) => !x.available)
            .map((x) => ` ${x.runtime}: ${x.reason ?? NA}.`)
            .join('')
        : 'Technology (Bun vs Node): not measured in this run (quick runs skip it).',
    ],
    tables: [
      {
        headers: LAYOUT_HEADERS,
        rows: layoutRows(f8),
        numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      },
      ...(tech ? [tech] : []),
    ],
    charts: [layoutsChart(f8)],
  }
}

// layoutsHeadline is scenario 9 in one sentence (report top and README), or null when it did
// not run
export function layoutsHeadline(r: Results): string | null {
  const f8 = r.scenarios.layouts
  if (!f8) return null
  const base = layoutBase(f8)
  const rows = layoutFigures(f8).filter((x) => x.layout.id !== base?.id)
  const rps = rows
    .map((x) =>
      x.layout.available
        ? `${x.layout.label} ${f.int(x.product?.rps)} (${f.x(x.ratios.productRps)})`
        : `${x.layout.label} ${NA}`,
    )
    .join(', ')
  const down = [base, ...rows.map((x) => x.layout)]
    .filter((l): l is LayoutRun => !!l?.available && !!l.blast && !l.blast.saturated)
    .map((l) => `${l.label} ${f.pct(l.blast!.endpointsDown, 0)}`)
    .join(', ')
  return (
    `Layouts, product page req/s (× the ${base?.label ?? 'monolith'}): ` +
    `${base ? `${base.label} ${f.int(find(summarise(base.runs), 'product page', base.id)?.rps)}, ` : ''}${rps}` +
    (down
      ? `; share of the endpoints down once the process hosting payments is killed: ${down}.`
      : '.')
  )
}
