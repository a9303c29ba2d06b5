// The report's content, independent of its format: sections of tables, paragraphs and charts,
// computed from results.json. report-md.ts and report-html.ts render it.
import { topology } from '../micro/topology.ts'
import type { Plan } from '../shared/wiring/plan.ts'
import { endpointsNeeding } from '../shared/wiring/registry.ts'
import type { CostLadder } from './cost-ladder.ts'
import { FLAG_TEXT, type FlagCode } from './flags.ts'
import { productPageCeiling } from './hop-floor.ts'
import type { GatewayLadder, HopLadder, HopStep } from './hop-ladder.ts'
import { layoutRuns } from './layouts.ts'
import { ENDPOINTS } from './plan.ts'
import { faultClassesHeadline, faultClassesSection } from './report-fault-classes.ts'
import { layoutsHeadline, layoutsSection } from './report-layouts.ts'
import type {
  CellSummary,
  DeployRun,
  FaultRun,
  LimitRatio,
  Results,
  RunRecord,
  Unloaded,
} from './results.ts'
import { find } from './results.ts'
import type { Calibration } from './scenarios/calibrate.ts'
import { mean, median, ratio, spread } from './stats.ts'

// Table is a table with a header row; cells are plain text
export interface Table {
  caption?: string
  headers: string[]
  rows: string[][]
  // right-align these columns (numbers)
  numeric?: number[]
  // a heat map: per row and column a share 0..1 the HTML report colours the cell by (null: none)
  heat?: (number | null)[][]
}

// Chart is a plot for the HTML report (Chart.js configuration built by report-html.ts)
export type Chart =
  | {
      kind: 'bars'
      title: string
      labels: string[]
      series: { name: string; values: (number | null)[] }[]
      unit: string
    }
  | {
      kind: 'percentiles'
      title: string
      series: { name: string; points: { p: number; ms: number | null }[] }[]
    }
  | {
      kind: 'timeline'
      title: string
      bucketMs: number
      series: { name: string; values: (number | null)[] }[]
      marks: { atMs: number; label: string }[]
    }
  | {
      // bars and lines over the same labels, on up to three value axes (y left, y1 and y2 right)
      kind: 'combo'
      title: string
      labels: string[]
      series: {
        name: string
        type: 'bar' | 'line'
        axis: 'y' | 'y1' | 'y2'
        values: (number | null)[]
      }[]
      axes: { y: string; y1?: string; y2?: string }
    }

// Section is one part of the report
export interface Section {
  id: string
  title: string
  paragraphs: string[]
  tables: Table[]
  charts: Chart[]
}

// Headline is the handful of figures quoted in the README
export interface Headline {
  productThroughputRatio: number | null
  productP99Ratio: number | null
  productRps: { monolith: number | null; micro: number | null }
  productP99: { monolith: number | null; micro: number | null }
  latencyPerHopMs: number | null
  cpuPerHopUs: number | null
  unaffectedAvailability: {
    target: string
    monolith: number | null
    micro: number | null
    // a deployment was saturated before the fault: no verdict
    saturated: boolean
  }[]
  deployFailed: {
    target: string
    monolith: number | null
    micro: number | null
    // two monolith processes sharing the port, replaced one at a time (full runs only)
    monolithRolling: number | null
  }[]
  productCpuRatio: number | null
  messagesLost: number | null
  messagesDuplicated: number | null
  scalingSpeedup: { monolith: number | null; micro: number | null }
  idleRss: { monolith: number | null; micro: number | null }
  generatorCoresMax: number | null
  flagged: number
}

// number formats
export const f = {
  int: (n: number | null | undefined) =>
    n === null || n === undefined || !Number.isFinite(n)
      ? 'n/a'
      : Math.round(n).toLocaleString('en-US'),
  ms: (n: number | null | undefined) =>
    n === null || n === undefined || !Number.isFinite(n)
      ? 'n/a'
      : n < 1
        ? n.toFixed(3)
        : n < 10
          ? n.toFixed(2)
          : n < 100
            ? n.toFixed(1)
            : Math.round(n).toLocaleString('en-US'),
  x: (n: number | null | undefined) =>
    n === null || n === undefined || !Number.isFinite(n)
      ? 'n/a'
      : `${n < 0.1 ? n.toFixed(3) : n.toFixed(2)}×`,
  pct: (n: number | null | undefined, digits = 1) =>
    n === null || n === undefined || !Number.isFinite(n)
      ? 'n/a'
      : `${(n * 100).toFixed(n === 1 || n === 0 ? 0 : digits)} %`,
  mb: (n: number | null | undefined) =>
    n === null || n === undefined || !Number.isFinite(n)
      ? 'n/a'
      : `${(n / 1024 / 1024).toFixed(0)} MiB`,
  cores: (n: number | null | undefined) =>
    n === null || n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(2),
  s: (ms: number | null | undefined) =>
    ms === null || ms === undefined || !Number.isFinite(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`,
  flags: (flags: readonly FlagCode[]) => (flags.length ? flags.join(', ') : ''),
}

// affected names the endpoints of scenario 2 a failing target is expected to take down (or
// degrade), as the module manifests tell it: a micro service (a group of the plan: all of
// its modules fail) or a monolith module crashed alone
export function affected(target: string, plan: Plan = topology): string[] {
  const group = plan.services.find((s) => s.name === target)
  const needing = new Set(endpointsNeeding(group ? group.modules : [target], plan.registry))
  return ENDPOINTS.filter((e) => needing.has(e.route)).map((e) => e.label)
}

const unaffected = (target: string, names: string[]) =>
  names.filter((n) => !affected(target).includes(n))

// unaffectedAvailability is the mean availability, during the fault, of the endpoints the
// failing service does not serve
export function unaffectedAvailability(run: FaultRun | undefined): number | null {
  // a run saturated before the fault says nothing about the fault
  if (!run || run.saturated) return null
  const names = unaffected(
    run.target,
    run.endpoints.map((e) => e.name),
  )
  return mean(
    run.endpoints
      .filter((e) => names.includes(e.name) && e.availabilityDuring !== null)
      .map((e) => e.availabilityDuring!),
  )
}

const allRuns = (r: Results): RunRecord[] => [
  ...(r.scenarios.limits?.runs ?? []),
  ...(r.scenarios.endpoints?.runs ?? []),
  ...(r.scenarios.scaling?.runs ?? []),
  ...layoutRuns(r.scenarios.layouts),
]

const deployTotals = (runs: DeployRun[], target: string, deployment: string) => {
  // saturated runs measured overload, not the redeploy: no verdict from them
  const rs = runs.filter((r) => r.target === target && r.deployment === deployment && !r.saturated)
  return rs.length ? median(rs.map((r) => r.endpoints.reduce((n, e) => n + e.failed, 0))) : null
}

// headline computes the figures the README quotes
export function headline(r: Results): Headline {
  const e = r.scenarios.endpoints
  const product = e?.ratios.find((x) => x.endpoint === 'product page')
  const pm = e ? find(e.summary, 'product page', 'monolith') : undefined
  const pu = e ? find(e.summary, 'product page', 'micro') : undefined
  const perHop = (e?.ratios ?? [])
    .map((x) => x.latencyPerHopMs)
    .filter((x): x is number => x !== null)
  const cpuHop = (e?.ratios ?? []).map((x) => x.cpuPerHopUs).filter((x): x is number => x !== null)
  const fr = r.scenarios.failure?.runs ?? []
  const targets = [...new Set(fr.map((x) => x.target))]
  const sc = r.scenarios.scaling?.summary ?? []
  const speed = (d: string) => ratio(find(sc, '×2', d)?.rps, find(sc, '×1', d)?.rps)
  const mem = r.scenarios.footprint?.memory ?? []
  const dr = r.scenarios.deployment?.runs ?? []
  const gens = allRuns(r)
    .map((x) => x.generatorCores)
    .filter((x): x is number => x !== null)
  return {
    productThroughputRatio: product?.throughput ?? null,
    productP99Ratio: product?.p99 ?? null,
    productRps: { monolith: pm?.rps ?? null, micro: pu?.rps ?? null },
    productP99: { monolith: pm?.p99 ?? null, micro: pu?.p99 ?? null },
    latencyPerHopMs: median(perHop),
    cpuPerHopUs: median(cpuHop),
    unaffectedAvailability: targets.map((t) => ({
      target: t,
      monolith: unaffectedAvailability(
        fr.find((x) => x.target === t && x.deployment === 'monolith'),
      ),
      micro: unaffectedAvailability(fr.find((x) => x.target === t && x.deployment === 'micro')),
      saturated: fr.some((x) => x.target === t && x.saturated),
    })),
    deployFailed: [...new Set(dr.map((x) => x.target))].map((t) => ({
      target: t,
      monolith: deployTotals(dr, t, 'monolith'),
      micro: deployTotals(dr, t, 'micro'),
      monolithRolling: deployTotals(dr, t, 'monolith ×2'),
    })),
    productCpuRatio: product?.cpuPerRequest ?? null,
    messagesLost: fr.length ? fr.reduce((n, x) => n + x.messages.lost, 0) : null,
    messagesDuplicated: fr.length ? fr.reduce((n, x) => n + x.messages.duplicated, 0) : null,
    scalingSpeedup: { monolith: speed('monolith'), micro: speed('micro') },
    idleRss: {
      monolith: mem.find((m) => m.deployment === 'monolith')?.idleRssBytes ?? null,
      micro: mem.find((m) => m.deployment === 'micro')?.idleRssBytes ?? null,
    },
    generatorCoresMax: gens.length ? Math.max(...gens) : null,
    flagged: allRuns(r).filter((x) => x.flags.length > 0).length,
  }
}

const summaryRow = (s: CellSummary, extra: string[] = []) => [
  f.int(s.rps),
  f.ms(s.p50),
  f.ms(s.p90),
  f.ms(s.p99),
  f.pct(s.errorRate, 2),
  ...extra,
  f.cores(s.generatorCores),
  f.cores(s.serverCores),
  f.flags(s.flags),
]

// NO_VERDICT are the flags that keep a ratio from being judged against its target (a closed
// loop always fills the machine, so cpu-saturated alone does not)
const NO_VERDICT: FlagCode[] = ['generator-bound', 'errors', 'background-load']

// verdict judges a ratio to its limit against its target
export function verdict(l: LimitRatio): string {
  if (!l.measured) return 'not measured'
  const blocked = l.flags.filter((x) => NO_VERDICT.includes(x))
  if (blocked.length) return `no verdict (${blocked.join(', ')})`
  const t = l.target
  // a ratio between two references explains a target; it has none of its own
  if (t.throughput === undefined && t.p99 === undefined) {
    return `explains ${l.explains ?? 'the row above'}`
  }
  const okT = t.throughput === undefined || (l.throughput ?? 0) >= t.throughput
  const okP = t.p99 === undefined || (l.p99 ?? Number.POSITIVE_INFINITY) <= t.p99
  return okT && okP ? 'met' : 'not met'
}

const ratioWithRange = (x: number | null, range: [number, number] | null) =>
  x === null
    ? 'n/a'
    : range && range[0] !== range[1]
      ? `${f.x(x)} (${f.x(range[0])}–${f.x(range[1])})`
      : f.x(x)

// limitRows are the ratios to the limits as table rows
export const limitRows = (ratios: readonly LimitRatio[]) =>
  ratios.map((l) => [
    l.label,
    l.measured ? ratioWithRange(l.throughput, l.throughputRange) : 'not measured',
    l.target.throughput === undefined ? '' : `≥ ${l.target.throughput}×`,
    l.measured ? ratioWithRange(l.p99, l.p99Range) : 'not measured',
    l.target.p99 === undefined ? '' : `≤ ${l.target.p99}×`,
    String(l.repeats),
    verdict(l),
    f.flags(l.flags),
  ])

// LIMIT_HEADERS head the ratio tables
export const LIMIT_HEADERS = [
  'comparison',
  'throughput ratio (min–max)',
  'target',
  'p99 ratio (min–max)',
  'target',
  'repeats',
  'verdict',
  'flags',
]

function limitsSection(r: Results): Section | null {
  const l = r.scenarios.limits
  if (!l) return null
  const bun = l.summary.find((s) => s.deployment === 'bun-static')
  const rows = l.summary.map((s) => [
    s.deployment,
    s.cell,
    ...summaryRow(s, [f.pct(ratio(s.rps, bun?.rps), 0), f.int(s.cpuUsPerRequest)]),
  ])
  const get = (cell: string, d: string) => find(l.summary, cell, d)
  const ratios = l.ratios ?? []
  const paragraphs = [
    `On this machine a raw \`Bun.serve\` answering static JSON reaches ${f.int(bun?.rps)} req/s, ` +
      `and a Hono route reading one SQLite row ${f.int(get('SQLite point read', 'hono-sqlite')?.rps)} req/s ` +
      `(${f.pct(ratio(get('SQLite point read', 'hono-sqlite')?.rps, bun?.rps), 0)} of raw Bun). The monolith's cheapest route ` +
      `(\`/_/health\`, through its whole middleware stack) does ${f.int(get('GET /_/health', 'monolith')?.rps)} req/s and ` +
      `the micro gateway's ${f.int(get('GET /_/health', 'micro')?.rps)} req/s: these are the ceilings every other figure ` +
      'sits under.' +
      (bun?.flags.includes('generator-bound')
        ? ' The raw Bun figure is flagged generator-bound: the load generator, not the server, was the limit.'
        : ''),
    'Each deployment also runs beside its own limit, alternating A B A B on the same data: the ' +
      "monolith's product page beside a plain Hono + bun:sqlite route running the same five queries " +
      "as prepared statements on the monolith's database file (and beside the same route reading " +
      'each page in one read transaction, as the monolith reads its page: `reference-snapshot`), ' +
      'and the gateway in front of the ' +
      'reviews service beside nginx (one worker, keep-alive 64, adding the service token) in front ' +
      "of the same service; the microservices' product page beside a bare split: the same five " +
      'queries in six processes split as the microservices split them (catalog, pricing, reviews, ' +
      'inventory, an aggregator calling the four at once, a proxy in front), with nothing but ' +
      '`Bun.serve` and `fetch` between them. Ratios are medians over the repeats, with their range ' +
      'repeat by repeat.',
    ...(l.unloaded?.length
      ? [
          'The product page one request at a time (median, and p99 where kept): ' +
            l.unloaded
              .map(
                (u) => `${u.server} ${f.ms(u.p50Ms)} ms${u.p99Ms ? ` (p99 ${f.ms(u.p99Ms)})` : ''}`,
              )
              .join(', ') +
            '.',
        ]
      : []),
    ...(l.faultInjection
      ? [
          `Fault injection while nothing is armed costs ${f.pct(l.faultInjection.overhead, 1)} per ` +
            `product page (target < 2 %): ${f.ms(l.faultInjection.wrappedUs)} µs with every module ` +
            `wrapped as the monolith wires it, ${f.ms(l.faultInjection.bareUs)} µs built without, ` +
            `CPU in process (no HTTP), median of ${l.faultInjection.rounds} alternating rounds of ` +
            `${f.int(l.faultInjection.pages)} pages.`,
        ]
      : []),
    ...(l.hopFloor?.cpuUs
      ? [
          `One bare hop — Bun's \`fetch\` to a \`Bun.serve\` answering a small JSON body, no ` +
            `framework on either side${l.hopFloor.transport === 'unix' ? ', over a unix domain socket as the microservices call each other' : ''} — ` +
            `costs ${f.ms(l.hopFloor.cpuUs)} µs of CPU (client and server, ` +
            `${l.hopFloor.concurrency} calls in flight) and ${f.ms(l.hopFloor.latencyMs)} ms one at a time: ` +
            'the floor under every internal hop of the microservices on this stack' +
            (l.hopFloor.tcp?.cpuUs
              ? ` (over loopback TCP: ${f.ms(l.hopFloor.tcp.cpuUs)} µs and ${f.ms(l.hopFloor.tcp.latencyMs)} ms).`
              : '.'),
        ]
      : []),
    ...ladderText(l.costLadder, get('product page', 'monolith')?.cpuUsPerRequest),
    ...hopLadderText(l.hopLadder, splitFloor(r)),
    ...gatewayLadderText(l.gatewayLadder),
    ...aggregatorText(l.runs),
    ...(l.openBreaker
      ? [
          `Meeting an open breaker, one request at a time: reviews stopped on the microservices, ` +
            `every breaker towards it ${l.openBreaker.openAfterMs === null ? 'not yet open after the warm-up calls' : `open ${f.s(l.openBreaker.openAfterMs)} after the stop`}; ` +
            l.openBreaker.probes
              .map(
                (x) =>
                  `${x.endpoint}: p50 ${f.ms(x.p50Ms)} ms, p99 ${f.ms(x.p99Ms)} ms ` +
                  `(${x.expected} of ${x.samples} answers as the open breaker gives them)`,
              )
              .join('; ') +
            `. ${healthyTail(l.unloaded)}Scenario 3 times the same calls under the paced load.`,
        ]
      : []),
    ...(l.notes ?? []),
  ]
  return {
    id: 'limits',
    title: '1 Limits',
    paragraphs,
    tables: [
      {
        headers: [
          'server',
          'route',
          'req/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'errors',
          'of raw Bun',
          'CPU µs/request',
          'generator cores',
          'server cores',
          'flags',
        ],
        rows,
        numeric: [2, 3, 4, 5, 6, 7, 8, 9, 10],
      },
      ...(ratios.length ? [{ headers: LIMIT_HEADERS, rows: limitRows(ratios), numeric: [5] }] : []),
      ...(() => {
        const b = processBreakdown(l.runs)
        if (!b.length) return []
        return [
          {
            caption:
              "CPU per product page, process by process: the bare split's and ours, median of the repeats",
            headers: ['process', 'bare split µs/page', 'micro µs/page', 'micro − bare µs'],
            rows: b.map((x) => [
              x.role,
              f.int(x.bareUs),
              f.int(x.oursUs),
              x.bareUs === null || x.oursUs === null ? 'n/a' : f.int(x.oursUs - x.bareUs),
            ]),
            numeric: [1, 2, 3],
          },
        ]
      })(),
      ...(() => {
        const b = processBreakdown(l.runs, {
          cell: 'aggregator over our leaves',
          bare: 'bare-aggregator',
          ours: 'storefront',
        })
        if (!b.length) return []
        return [
          {
            caption:
              'The aggregator alone over our leaves (called directly, no gateway): a bare ' +
              'aggregator and our storefront, CPU per page by process, median of the repeats',
            headers: [
              'process',
              'bare aggregator µs/page',
              'our storefront µs/page',
              'ours − bare µs',
            ],
            rows: b
              .filter((x) => x.role !== 'gateway')
              .map((x) => [
                x.role,
                f.int(x.bareUs),
                f.int(x.oursUs),
                x.bareUs === null || x.oursUs === null ? 'n/a' : f.int(x.oursUs - x.bareUs),
              ]),
            numeric: [1, 2, 3],
          },
        ]
      })(),
    ],
    charts: [
      {
        kind: 'bars',
        title: 'Limits: requests per second',
        labels: l.summary.map((s) => `${s.deployment} · ${s.cell}`),
        series: [{ name: 'req/s', values: l.summary.map((s) => s.rps) }],
        unit: 'req/s',
      },
    ],
  }
}

// coresSentence notes how much CPU each deployment could put to work under closed-loop load:
// one monolith process is one JavaScript thread, the microservices are sixteen processes
function coresSentence(summary: CellSummary[]): string {
  const cores = (d: string) =>
    median(summary.filter((s) => s.deployment === d).map((s) => s.serverCores ?? Number.NaN))
  const mono = cores('monolith')
  const micro = cores('micro')
  if (mono === null || micro === null) return ''
  const bound = mono >= 0.85 ? ', about all that one JavaScript thread can give' : ''
  return (
    ` Under this load the monolith's one process used ${f.cores(mono)} cores${bound}; the ` +
    `microservices' processes together used ${f.cores(micro)} (medians over the endpoints).`
  )
}

function endpointsSection(r: Results): Section | null {
  const e = r.scenarios.endpoints
  if (!e) return null
  const order = ENDPOINTS.map((x) => x.label as string)
  const cells = [...new Set(e.summary.map((s) => s.cell))].sort(
    (a, b) => order.indexOf(a) - order.indexOf(b),
  )
  const probe = (cell: string, d: string) =>
    e.probes.find((p) => p.endpoint === cell && p.deployment === d)
  const rows: string[][] = []
  for (const cell of cells) {
    for (const d of ['monolith', 'micro']) {
      const s = find(e.summary, cell, d)
      if (!s) continue
      const pr = probe(cell, d)
      rows.push([
        cell,
        d,
        ...summaryRow(s, [
          pr?.hops === null || pr?.hops === undefined ? 'n/a' : String(pr.hops),
          pr?.internalBytes === null || pr?.internalBytes === undefined
            ? 'n/a'
            : f.int(pr.internalBytes),
          f.int(s.cpuUsPerRequest),
        ]),
      ])
    }
  }
  const ratioRows = cells.map((cell) => {
    const x = e.ratios.find((q) => q.endpoint === cell)
    return [
      cell,
      ENDPOINTS.find((q) => q.label === cell)?.pattern ?? '',
      f.x(x?.throughput),
      f.x(x?.p50),
      f.x(x?.p99),
      f.x(x?.cpuPerRequest),
      f.ms(probe(cell, 'monolith')?.p50Ms),
      f.ms(probe(cell, 'micro')?.p50Ms),
      f.ms(x?.latencyPerHopMs),
      f.int(x?.cpuPerHopUs),
    ]
  })
  const h = headline(r)
  const anyHeaders = e.probes.some((p) => p.hops !== null)
  return {
    id: 'endpoints',
    title: '2 Endpoints',
    paragraphs: [
      `Closed loop: ${r.options.connections} connections, ${r.options.durationS} s per run, medians of ` +
        `${r.options.repeats} runs per deployment. Hops and internal bytes come from the \`X-Hops\` and ` +
        '`X-Internal-Bytes` headers (internal calls made to serve one request and the bytes they moved)' +
        (anyHeaders ? '.' : ': this build does not send them, so they read n/a.') +
        ' "One at a time" is the median latency of sequential requests with nothing else in ' +
        "flight, sent after the endpoint's closed-loop runs (its code warm).",
      `On the product page the microservices serve ${f.x(h.productThroughputRatio)} the monolith's ` +
        `throughput with ${f.x(h.productP99Ratio)} its p99 latency. Each internal hop adds about ` +
        `${f.ms(h.latencyPerHopMs)} ms of unloaded latency and ${f.int(h.cpuPerHopUs)} µs of CPU ` +
        '(medians over the endpoints).' +
        coresSentence(e.summary),
      hopTargetsText(h, r.scenarios.failure?.runs ?? [], r),
      ...ceilingText(r),
    ],
    tables: [
      ...(e.targets?.length
        ? [{ headers: LIMIT_HEADERS, rows: limitRows(e.targets), numeric: [5] }]
        : []),
      {
        headers: [
          'endpoint',
          'deployment',
          'req/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'errors',
          'hops',
          'internal bytes',
          'CPU µs/req',
          'generator cores',
          'server cores',
          'flags',
        ],
        rows,
        numeric: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      },
      {
        caption: 'micro ÷ monolith, and what one internal hop costs',
        headers: [
          'endpoint',
          'pattern',
          'throughput',
          'p50',
          'p99',
          'CPU per request',
          'one at a time, monolith ms',
          'one at a time, micro ms',
          'latency per hop ms',
          'CPU per hop µs',
        ],
        rows: ratioRows,
        numeric: [2, 3, 4, 5, 6, 7, 8, 9],
      },
    ],
    charts: [
      {
        kind: 'bars',
        title: 'Throughput per endpoint (req/s)',
        labels: cells,
        series: ['monolith', 'micro'].map((d) => ({
          name: d,
          values: cells.map((c) => find(e.summary, c, d)?.rps ?? null),
        })),
        unit: 'req/s',
      },
      ...cells.map(
        (cell): Chart => ({
          kind: 'percentiles',
          title: `Latency percentiles: ${cell}`,
          series: ['monolith', 'micro'].map((d) => ({
            name: d,
            points: find(e.summary, cell, d)?.curve ?? [],
          })),
        }),
      ),
    ],
  }
}

const ratesOf = (t: FaultRun['timeline'], name: string) => {
  const ep = t.endpoints.find((x) => x.name === name)
  return ep ? ep.total.map((total, i) => (total ? ep.ok[i]! / total : null)) : []
}

function timelineChart(
  title: string,
  t: FaultRun['timeline'],
  marks: { atMs: number; label: string }[],
): Chart {
  return {
    kind: 'timeline',
    title,
    bucketMs: t.bucketMs,
    series: t.endpoints.map((ep) => ({ name: ep.name, values: ratesOf(t, ep.name) })),
    marks,
  }
}

// layerStep is one step of a ladder: its µs and what it adds to (or takes from) the step below
const layerStep = (x: number | null, from: number | null) =>
  x === null || from === null
    ? 'n/a'
    : `${f.ms(x)} µs (${x >= from ? '+' : '−'}${f.ms(Math.abs(x - from))})`

// ladderText says where the monolith's product page spends its CPU, layer by layer
export function ladderText(
  l: CostLadder | undefined,
  overHttpUs: number | null | undefined,
): string[] {
  if (!l?.rawUs || !l.appUs) return []
  const together = l.togetherUs ?? null
  return [
    "Where the monolith's product page spends its CPU, layer by layer in one process (no HTTP; " +
      `medians of ${l.rounds} rounds of ${f.int(l.pages)} pages): the reference's five statements ` +
      `bare ${f.ms(l.rawUs)} µs (each its own read transaction, as the reference route runs them), ` +
      (together === null
        ? ''
        : `in one read transaction ${f.ms(together)} µs (−${f.ms(l.rawUs - together)}: the ` +
          "monolith's page reads its four modules in one snapshot, which the reference does not " +
          'and microservices cannot), ') +
      `inside a bare Hono route ${layerStep(l.honoUs, l.rawUs)}; the four module calls ` +
      `(drizzle's prepared statements, row mapping${together === null ? '' : ', one snapshot'}) ` +
      `${layerStep(l.modulesUs, together ?? l.rawUs)}; ` +
      `the aggregator (four parts at once, each with its deadline) ${layerStep(l.pageUs, l.modulesUs)}; ` +
      'the whole monolith app (routing among every route, validation, request id, trace, auth, ' +
      `secure headers, metrics, fault-injection wrappers) ${layerStep(l.appUs, l.pageUs)}` +
      (overHttpUs
        ? `; over HTTP the monolith spends ${f.int(overHttpUs)} µs per page (table above).`
        : '.'),
  ]
}

// healthyTail sets the open breaker's tail beside the healthy product page's, one request at a
// time through the same tiers (ours and the bare split's): what the machine's tail is without
// any breaker in the way
export function healthyTail(unloaded: readonly Unloaded[] | undefined): string {
  const at = (d: string) => unloaded?.find((u) => u.server === d)?.p99Ms
  const ours = at('micro')
  const bare = at('bare-split')
  if (!ours) return ''
  return (
    `With every service up, the same page one request at a time has p99 ${f.ms(ours)} ms on ours` +
    (bare ? ` and ${f.ms(bare)} ms on the bare split (the same tiers, nothing but Bun)` : '') +
    '. '
  )
}

// hopLadderText says where one internal hop of ours spends its CPU, layer by layer, and sets
// the whole hop beside what a hop cost on the loaded product page (scenario 1's cell)
export function hopLadderText(l: HopLadder | undefined, onPage: SplitFloor | null): string[] {
  const s = l?.steps
  if (!s?.bare || !s.link) return []
  // the layer that adds the most, each step against the one before (HOP_STEPS' order)
  const layers: [HopStep, string][] = [
    ['hono', 'Hono'],
    ['route', "the module's route"],
    ['platform', 'the platform'],
    ['service', 'the service app'],
    ['client', 'the client'],
    ['link', 'the link'],
  ]
  const widest = layers
    .map(([k, name], i): [string, number] => [
      name,
      (s[k] ?? 0) - (s[i === 0 ? 'bare' : layers[i - 1]![0]] ?? 0),
    ])
    .sort((a, b) => b[1] - a[1])[0]
  const loaded =
    onPage?.ours.cpuUs && onPage.floor.cpuUs
      ? ` Under the product page's load (scenario 1) a hop cost ${f.int(onPage.ours.cpuUs)} µs on ` +
        `ours and ${f.int(onPage.floor.cpuUs)} on the bare split: ` +
        `${f.x(onPage.ours.cpuUs / s.link)} and ${f.x(onPage.floor.cpuUs / s.bare)} their ` +
        "figures here, where one process has the machine to itself and the page's processes " +
        'do not share its cores.'
      : ''
  return [
    "Where one internal hop of ours spends its CPU, layer by layer (catalog's product read, " +
      `client and server in one process over a unix socket, ${l!.concurrency} calls in flight; ` +
      `medians of ${l!.rounds} rounds of ${f.int(l!.calls)} calls): a bare \`fetch\` to a bare ` +
      `\`Bun.serve\` running the prepared statement ${f.ms(s.bare)} µs; in a Hono route ` +
      `${layerStep(s.hono, s.bare)}; the module's own route (parameter validation, the service, ` +
      `drizzle's prepared statement) ${layerStep(s.route, s.hono)}; the platform around it (request ` +
      `id, trace context and deadline, metrics, token identification, bounded body) ` +
      `${layerStep(s.platform, s.route)}; the service as it runs (service token, chaos and ` +
      `operations routes) ${layerStep(s.service, s.platform)}; the module's HTTP client on the ` +
      `caller's side ${layerStep(s.client, s.service)}; the resilient link (trace and deadline ` +
      `headers, timeout, breaker, retry, bulkhead, hop count) ${layerStep(s.link, s.client)}: a hop ` +
      `of ours costs ${f.x(s.link / s.bare)} a bare one${widest ? `, the most of it (${f.ms(widest[1])} µs) in ${widest[0]}` : ''}.${loaded}`,
  ]
}

// gatewayLadderText says where our gateway spends its CPU on a forwarded request, layer by layer
export function gatewayLadderText(l: GatewayLadder | undefined): string[] {
  const s = l?.steps
  if (!s?.bare || !s.gateway) return []
  return [
    'Where our gateway spends its CPU on a forwarded request, layer by layer (the reviews of a ' +
      `product, client, proxy and upstream in one process over unix sockets, ${l!.concurrency} ` +
      `requests in flight; medians of ${l!.rounds} rounds of ${f.int(l!.calls)}): a bare proxy ` +
      `(\`Bun.serve\` + \`fetch\`, the request's headers copied, the service token added) ` +
      `${f.ms(s.bare)} µs; setting the headers every public answer carries (ten secure headers, ` +
      `request id, trace, hop count; hop-by-hop ones off) ${layerStep(s.answered, s.bare)}; the ` +
      'bare forward as a route of the platform (request context, which sets those headers, token ' +
      `identification, body bound, metrics) ${layerStep(s.platform, s.answered)}; our gateway as it ` +
      'runs (routing among every public route, per-route bulkhead, breaker, retry, deadline, ' +
      `trace headers upstream) ${layerStep(s.gateway, s.platform)}: ${f.x(s.gateway / s.bare)} the ` +
      'bare proxy, where the upstream and the client cost the same in every step.',
  ]
}

// ProcessCost is one process role's CPU per product page on the bare split and on ours
export interface ProcessCost {
  role: string
  bareUs: number | null
  oursUs: number | null
}

// the product page's processes, in the order a request meets them
const PAGE_ROLES = ['gateway', 'storefront', 'catalog', 'pricing', 'reviews', 'inventory']

// processBreakdown sets each process of the bare split beside the same process of the
// microservices (scenario 1's product page cell): CPU µs per page, the median over repeats;
// processes outside the page's path (the rest of the microservices, idle) are summed as
// "others". With another cell and servers: the same for them (the aggregator over our leaves)
export function processBreakdown(
  runs: readonly RunRecord[],
  which: { cell: string; bare: string; ours: string } = {
    cell: 'product page',
    bare: 'bare-split',
    ours: 'micro',
  },
): ProcessCost[] {
  const perPage = (d: string, role: string) =>
    median(
      runs
        .filter((x) => x.cell === which.cell && x.deployment === d && x.serverCoresByRole)
        .map((x) => {
          const by = x.serverCoresByRole!
          const cores = PAGE_ROLES.includes(role)
            ? by[role]
            : Object.entries(by)
                .filter(([k]) => !PAGE_ROLES.includes(k))
                .reduce((n, [, v]) => n + v, 0)
          return cores === undefined || x.rps <= 0 ? null : (cores / x.rps) * 1e6
        })
        .filter((v): v is number => v !== null),
    )
  const ours = runs.some(
    (x) => x.cell === which.cell && x.deployment === which.ours && x.serverCoresByRole,
  )
  if (!ours) return []
  return [...PAGE_ROLES, 'others'].map((role) => ({
    role,
    bareUs: role === 'others' && which.bare === 'bare-split' ? 0 : perPage(which.bare, role),
    oursUs: perPage(which.ours, role),
  }))
}

// aggregatorText says how much of the aggregator's CPU per page its callees decide: the same
// bare aggregator over bare leaves (the bare split) and over ours, and our storefront over ours
export function aggregatorText(runs: readonly RunRecord[]): string[] {
  const role = (b: ProcessCost[]) => b.find((x) => x.role === 'storefront')
  const split = role(processBreakdown(runs))
  const over = role(
    processBreakdown(runs, {
      cell: 'aggregator over our leaves',
      bare: 'bare-aggregator',
      ours: 'storefront',
    }),
  )
  if (!over || over.bareUs === null || over.oursUs === null) return []
  return [
    `The aggregator over our leaves: a bare aggregator (Bun.serve + fetch) spends ` +
      `${f.int(over.bareUs)} µs of CPU per page calling our four leaves` +
      (split?.bareUs ? `, against ${f.int(split.bareUs)} calling the bare split's` : '') +
      `; our storefront over the same leaves ${f.int(over.oursUs)} µs. The bare aggregator's ` +
      'code is the same in both: the difference between its two figures is what slower callees ' +
      'cost the process that waits for them.',
  ]
}

// SplitFloor is what the bare split (scenario 1: the product page's queries in six processes,
// Bun.serve and fetch only) pays per hop beside the plain route, and what the microservices pay
// beside the monolith, from the same cell of the same run
export interface SplitFloor {
  hops: number
  floor: { cpuUs: number | null; latencyMs: number | null }
  ours: { cpuUs: number | null; latencyMs: number | null }
}

// splitFloor derives the cost of one hop on the bare split and on the microservices from
// scenario 1's product page cell: CPU per page and one-at-a-time latency, each minus its
// one-process counterpart, over the hops the microservices' page takes
export function splitFloor(r: Results): SplitFloor | null {
  const l = r.scenarios.limits
  if (!l) return null
  const at = (d: string) => find(l.summary, 'product page', d)
  const alone = (d: string) => l.unloaded?.find((u) => u.server === d)
  const hops = alone('micro')?.hops ?? null
  if (!at('bare-split') || !hops) return null
  const per = (a: number | null | undefined, b: number | null | undefined) =>
    a === null || a === undefined || b === null || b === undefined ? null : (a - b) / hops
  return {
    hops,
    floor: {
      cpuUs: per(at('bare-split')?.cpuUsPerRequest, at('reference')?.cpuUsPerRequest),
      latencyMs: per(alone('bare-split')?.p50Ms, alone('reference')?.p50Ms),
    },
    ours: {
      cpuUs: per(at('micro')?.cpuUsPerRequest, at('monolith')?.cpuUsPerRequest),
      latencyMs: per(alone('micro')?.p50Ms, alone('monolith')?.p50Ms),
    },
  }
}

// ceilingText says how far the microservices' product page could get at best. Measured: the bare
// split beside the monolith in scenario 1 (any split on this stack does the same work and pays
// at least those hops). Where it was not measured: every hop at the one-process floor added to
// the monolith's CPU per page
export function ceilingText(r: Results): string[] {
  const ratios = r.scenarios.limits?.ratios ?? []
  const split = ratios.find((x) => x.id === 'split-monolith' && x.measured)
  const ours = ratios.find((x) => x.id === 'micro-split' && x.measured)
  const reach = (best: number) =>
    `(target ≥ 0.4×: ${best >= 0.4 ? 'within reach' : 'out of reach of any Bun implementation on this machine'})`
  if (split?.throughput) {
    const hop = splitFloor(r)
    return [
      `The ceiling on this stack, measured: the product page's five queries split over six ` +
        `processes as the microservices split them, with nothing but \`Bun.serve\` and \`fetch\` ` +
        `between them, serve ${f.x(split.throughput)} the monolith's throughput in scenario 1 ` +
        `(${split.throughputRange ? `${f.x(split.throughputRange[0])}–${f.x(split.throughputRange[1])} by repeat; ` : ''}` +
        `${hop ? `${f.int(hop.floor.cpuUs)} µs of CPU per hop, ` : ''}p99 ${f.x(split.p99)}) ${reach(split.throughput)}. ` +
        `Our microservices serve ${f.x(ours?.throughput ?? null)} of that bare split in the same cell: ` +
        'the rest of the gap is what our services add per hop (framework, auth, breakers, ' +
        'deadlines, telemetry).',
    ]
  }
  const e = r.scenarios.endpoints
  const floor = r.scenarios.limits?.hopFloor
  if (!e || !floor?.cpuUs) return []
  const mono = find(e.summary, 'product page', 'monolith')?.cpuUsPerRequest
  const hops = e.probes.find((p) => p.endpoint === 'product page' && p.deployment === 'micro')?.hops
  const best = productPageCeiling(mono, hops ?? 0, floor.cpuUs)
  if (best === null) return []
  const reached = e.ratios.find((x) => x.endpoint === 'product page')
  return [
    `The ceiling on this stack: the monolith spends ${f.int(mono)} µs of CPU per product page; ` +
      `the microservices add ${hops} hops, and even at the bare floor (${f.ms(floor.cpuUs)} µs each, ` +
      `one process, scenario 1) they could serve at most ${best.toFixed(3)}× the monolith's throughput ` +
      `${reach(best)}. ` +
      `They serve ${f.x(reached?.throughput ?? null)}: ` +
      `${reached?.throughput ? f.pct(reached.throughput / best, 0) : 'n/a'} of that ceiling.`,
  ]
}

// hopTargetsText sets the cost of a hop and of meeting an open breaker beside their targets,
// and each hop figure beside the bare split's where scenario 1 measured it. The breaker target
// is judged on scenario 1's probe (one request at a time: the breaker's own price); the paced
// figure of scenario 3 stands beside it, queueing included
export function hopTargetsText(h: Headline, faults: readonly FaultRun[], r?: Results): string {
  const judged = (x: number | null, max: number) =>
    x === null ? 'not measured' : x <= max ? 'met' : 'not met'
  const breaker = faults
    .filter((x) => x.deployment === 'micro' && !x.saturated)
    .map((x) => x.openBreakerP99Ms)
    .filter((x): x is number => x !== null && x !== undefined)
  const worstPaced = breaker.length ? Math.max(...breaker) : null
  const probes = r?.scenarios.limits?.openBreaker?.probes ?? []
  const worstProbe = probes.length
    ? Math.max(...probes.map((x) => x.p99Ms ?? Number.POSITIVE_INFINITY))
    : null
  const probeOk = probes.every((x) => x.expected === x.samples)
  const hop = r ? splitFloor(r) : null
  const floors = hop
    ? ` On the product page (scenario 1, ${hop.hops} hops) ours cost ${f.int(hop.ours.cpuUs)} µs and ` +
      `${f.ms(hop.ours.latencyMs)} ms per hop; the bare split's, the floor of any hop between ` +
      `processes on this machine, ${f.int(hop.floor.cpuUs)} µs and ${f.ms(hop.floor.latencyMs)} ms.`
    : ''
  const breakerText =
    worstProbe === null
      ? `${worstPaced === null ? 'n/a' : `${f.ms(worstPaced)} ms`} under the paced load, worst ` +
        `fault run: ${judged(worstPaced, 5)}`
      : `${f.ms(worstProbe)} ms one request at a time, scenario 1, worst of ` +
        `${probes.map((x) => x.endpoint).join(' and ')}: ` +
        `${probeOk && Number.isFinite(worstProbe) ? judged(worstProbe, 5) : 'not met (not every answer was the open breaker’s)'}` +
        (worstPaced === null
          ? ''
          : `; ${f.ms(worstPaced)} ms under the paced load of scenario 3, queueing behind ` +
            'the other requests included')
  return (
    `Targets: per internal hop ≤ 100 µs of CPU (${f.int(h.cpuPerHopUs)} µs: ` +
    `${judged(h.cpuPerHopUs, 100)}) and ≤ 0.3 ms of unloaded latency (${f.ms(h.latencyPerHopMs)} ms: ` +
    `${judged(h.latencyPerHopMs, 0.3)}); a call meeting an open breaker fails within p99 ≤ 5 ms ` +
    `(${breakerText}).${floors}`
  )
}

// spreadText states how much the closed-loop figures varied between repeats of this run
export function spreadText(r: Results): string {
  const runs = allRuns(r)
  const cells = new Map<string, number[]>()
  for (const x of runs) {
    const k = `${x.scenario}\u0000${x.cell}\u0000${x.deployment}`
    cells.set(k, [...(cells.get(k) ?? []), x.rps])
  }
  const spreads = [...cells.values()]
    .filter((v) => v.length > 1)
    .map((v) => spread(v))
    .filter((x): x is number => x !== null)
  if (!spreads.length) {
    return (
      'Variation: each cell ran once here, so this run says nothing about its spread; repeat ' +
      'with --repeats 3 or more before quoting a figure.'
    )
  }
  return (
    `Variation: ${r.options.repeats} repeats per cell; throughput varied between repeats by ` +
    `${f.pct(median(spreads), 0)} in the median cell and ${f.pct(Math.max(...spreads), 0)} at ` +
    'most (coefficient of variation). Ratios are quoted as the ratio of the medians with the ' +
    'range of the repeat-by-repeat ratios; between machines of the same kind figures have ' +
    'differed by more (see the README), so quote the ratios, with their range, not single ' +
    'numbers.'
  )
}

// calibrationText says where a paced rate came from
export function calibrationText(c: Calibration | undefined): string {
  if (!c) return ''
  if (c.fallback) return ', a fixed rate: the capacity could not be measured'
  return (
    `: ${f.pct(c.share, 0)} of the weaker deployment's capacity for the mix, measured closed loop ` +
    `first (monolith ${f.int(c.capacity.monolith)}, micro ${f.int(c.capacity.micro)} req/s)`
  )
}

function failureSection(r: Results): Section | null {
  const fs = r.scenarios.failure
  if (!fs) return null
  const targets = [...new Set(fs.runs.map((x) => x.target))]
  const tables: Table[] = []
  const charts: Chart[] = []
  const paragraphs: string[] = []
  for (const target of targets) {
    const mono = fs.runs.find((x) => x.target === target && x.deployment === 'monolith')
    const micro = fs.runs.find((x) => x.target === target && x.deployment === 'micro')
    const names = (micro ?? mono)?.endpoints.map((x) => x.name) ?? []
    const ep = (run: FaultRun | undefined, name: string) =>
      run?.endpoints.find((x) => x.name === name)
    tables.push({
      caption: `${target} fails for ${f.s(micro && micro.restartAtMs !== null && micro.faultAtMs !== null ? micro.restartAtMs - micro.faultAtMs : null)}, then is restarted`,
      headers: [
        'endpoint',
        'monolith: served during the fault',
        'micro: served during the fault',
        'micro: degraded answers',
        'monolith: back after',
        'micro: back after',
      ],
      rows: names.map((n) => [
        n + (affected(target).includes(n) ? ' (depends on it)' : ''),
        f.pct(ep(mono, n)?.availabilityDuring),
        f.pct(ep(micro, n)?.availabilityDuring),
        ep(micro, n)?.degraded ? f.int(ep(micro, n)!.degraded) : '',
        f.s(ep(mono, n)?.recoveryMs),
        f.s(ep(micro, n)?.recoveryMs),
      ]),
      numeric: [1, 2, 3, 4, 5],
    })
    tables.push({
      caption: `${target}: breaker, restart and messages`,
      headers: [
        'deployment',
        'fault',
        'breaker open after',
        'answers meeting the open breaker, p99',
        'restart to healthy',
        'orders confirmed',
        'lost',
        'duplicated',
        'dead-lettered',
        'read model orders',
        'flags',
      ],
      rows: [mono, micro]
        .filter((x): x is FaultRun => !!x)
        .map((x) => [
          x.deployment,
          x.method,
          x.deployment === 'micro' ? f.s(x.breakerOpenMs) : 'n/a (in-process calls)',
          x.deployment === 'micro' ? `${f.ms(x.openBreakerP99Ms)} ms` : 'n/a',
          f.s(
            x.healthyAtMs !== null && x.restartAtMs !== null ? x.healthyAtMs - x.restartAtMs : null,
          ),
          f.int(x.messages.confirmed),
          f.int(x.messages.lost),
          f.int(x.messages.duplicated),
          x.messages.deadLettered === null ? 'n/a' : f.int(x.messages.deadLettered),
          x.messages.readModelOrders === null ? 'n/a' : f.int(x.messages.readModelOrders),
          [x.saturated ? 'saturated: no verdict' : '', f.flags(x.flags)].filter(Boolean).join('; '),
        ]),
      numeric: [2, 3, 4, 5, 6, 7, 8, 9],
    })
    for (const run of [mono, micro]) {
      if (!run) continue
      charts.push(
        timelineChart(
          `${target} fails: ${run.deployment}, share served per ${run.timeline.bucketMs} ms`,
          run.timeline,
          run.events.map((e) => ({ atMs: e.atMs, label: e.kind })),
        ),
      )
    }
    const um = unaffectedAvailability(mono)
    const uu = unaffectedAvailability(micro)
    paragraphs.push(
      `While ${target} was down, the endpoints that do not need it were served ` +
        `${f.pct(uu)} of the time by the microservices and ${f.pct(um)} by the monolith, where the ` +
        `same fault is a crash of the one process.` +
        (micro?.breakerOpenMs !== null && micro?.breakerOpenMs !== undefined
          ? ` The breaker towards ${target} opened ${f.s(micro.breakerOpenMs)} after the kill.`
          : '') +
        ` Messages lost: ${f.int(mono?.messages.lost)} (monolith), ${f.int(micro?.messages.lost)} (micro); ` +
        `duplicated: ${f.int(mono?.messages.duplicated)} and ${f.int(micro?.messages.duplicated)}.`,
    )
  }
  const notes = fs.runs.flatMap((x) => x.notes.map((n) => `${x.target}/${x.deployment}: ${n}`))
  if (notes.length) paragraphs.push(`Notes: ${notes.join('; ')}.`)
  return {
    id: 'failure',
    title: '3 Failure isolation',
    paragraphs: [
      `A paced mixed load (every endpoint of scenario 2 at ${f.int(fs.runs[0]?.ratePerEndpoint)} req/s${calibrationText(fs.calibration)}) runs on a fresh deployment; the ` +
        'service is killed (micro, with automatic restarts off) or the same module crashes the ' +
        'process (monolith, under its keeper with restarts off), stays down for the same time, and ' +
        'is then started again by the bench. "Served" counts 2xx answers among requests started in ' +
        'the window; "back after" is the time from the restart command until every later request ' +
        'of that endpoint succeeded. Lost and duplicated messages compare the orders confirmed to ' +
        'the bench with the payment confirmations each customer received, after the queues drained.',
      ...paragraphs,
    ],
    tables,
    charts,
  }
}

function deploymentSection(r: Results): Section | null {
  const ds = r.scenarios.deployment
  if (!ds) return null
  const groups = new Map<string, DeployRun[]>()
  for (const run of ds.runs) {
    const key = `${run.target}\u0000${run.deployment}`
    groups.set(key, [...(groups.get(key) ?? []), run])
  }
  const rows = [...groups.values()].map((runs) => {
    const x = runs[0]!
    const failed = median(runs.map((q) => q.endpoints.reduce((n, e) => n + e.failed, 0)))
    const worst = median(runs.map((q) => Math.max(...q.endpoints.map((e) => e.unavailableS))))
    const perEndpoint = x.endpoints
      .map((e) => e.name)
      .map((n) => {
        const v = median(runs.map((q) => q.endpoints.find((e) => e.name === n)?.failed ?? 0))
        return v ? `${n} ${f.int(v)}` : ''
      })
      .filter(Boolean)
      .join(', ')
    return [
      x.deployment === 'micro' ? x.target : `whole application (pairs with ${x.target})`,
      x.deployment,
      x.method,
      f.s(median(runs.map((q) => q.redeployMs ?? Number.NaN))),
      f.int(failed),
      worst === null ? 'n/a' : `${worst.toFixed(2)} s`,
      perEndpoint || 'none',
    ]
  })
  const charts = [...groups.values()].map((runs) => {
    const x = runs[0]!
    return timelineChart(
      `Redeploy ${x.deployment === 'micro' ? x.target : 'monolith'} (${x.deployment}): share served per ${x.timeline.bucketMs} ms`,
      x.timeline,
      x.redeployAtMs === null
        ? []
        : [
            { atMs: x.redeployAtMs, label: 'redeploy' },
            ...(x.redeployMs === null
              ? []
              : [{ atMs: x.redeployAtMs + x.redeployMs, label: 'done' }]),
          ],
    )
  })
  const h = headline(r)
  return {
    id: 'deployment',
    title: '4 Deployment',
    paragraphs: [
      'The same paced mixed load while one service is redeployed (micro: the supervisor replaces ' +
        'its replicas one by one, waiting for each to be healthy) or while the monolith is ' +
        'restarted (SIGTERM: stop accepting, drain, close; then a new process). "Unavailable" is ' +
        'the time, at 250 ms resolution, when fewer than half the requests to an endpoint succeeded.',
      deploySentences(h),
    ],
    tables: [
      {
        headers: [
          'redeployed',
          'deployment',
          'how',
          'took',
          'failed requests',
          'worst endpoint unavailable',
          'failed per endpoint',
        ],
        rows,
        numeric: [3, 4, 5],
      },
    ],
    charts,
  }
}

function scalingSection(r: Results): Section | null {
  const sc = r.scenarios.scaling
  if (!sc) return null
  const base = (d: string) => find(sc.summary, '×1', d)?.rps
  const rows = sc.summary.map((s) => [
    s.cell,
    s.deployment === 'micro' ? `micro (storefront ${s.cell})` : `monolith ${s.cell} (reusePort)`,
    f.int(s.rps),
    f.ms(s.p50),
    f.ms(s.p99),
    f.cores(s.serverCores),
    f.int(s.cpuUsPerRequest),
    f.mb(s.rssBytes),
    f.x(ratio(s.rps, base(s.deployment))),
    f.cores(s.generatorCores),
    f.flags(s.flags),
  ])
  const h = headline(r)
  return {
    id: 'scaling',
    title: '5 Scaling',
    paragraphs: [
      'The product page under closed-loop load with the service that serves it (storefront) at 1 ' +
        'and 2 replicas, against 1 and 2 monolith processes sharing the port with SO_REUSEPORT. ' +
        `Doubling gave ${f.x(h.scalingSpeedup.micro)} on the microservices and ` +
        `${f.x(h.scalingSpeedup.monolith)} on the monolith; on a machine with ` +
        `${r.machine.cores} cores both are bounded by CPU, which the server-cores column shows.`,
    ],
    tables: [
      {
        headers: [
          'scale',
          'deployment',
          'req/s',
          'p50 ms',
          'p99 ms',
          'server cores',
          'CPU µs/req',
          'RSS',
          'vs ×1',
          'generator cores',
          'flags',
        ],
        rows,
        numeric: [2, 3, 4, 5, 6, 7, 8, 9],
      },
    ],
    charts: [
      {
        kind: 'bars',
        title: 'Product page throughput by scale (req/s)',
        labels: ['×1', '×2'],
        series: ['monolith', 'micro'].map((d) => ({
          name: d,
          values: ['×1', '×2'].map((c) => find(sc.summary, c, d)?.rps ?? null),
        })),
        unit: 'req/s',
      },
    ],
  }
}

function footprintSection(r: Results): Section | null {
  const fp = r.scenarios.footprint
  if (!fp) return null
  const rows = ['monolith', 'micro'].map((d) => {
    const m = fp.memory.find((x) => x.deployment === d)
    const first = median(
      fp.starts.filter((s) => s.deployment === d && s.kind === 'first (seeding)').map((s) => s.ms),
    )
    const restart = median(
      fp.starts.filter((s) => s.deployment === d && s.kind === 'restart').map((s) => s.ms),
    )
    const data = fp.dataBytes.find((x) => x.deployment === d)
    return [
      d,
      f.int(m?.processes),
      f.s(first),
      f.s(restart),
      f.mb(m?.idleRssBytes),
      f.mb(m?.loadRssBytes),
      data ? `${f.mb(data.bytes)} in ${data.files} files` : 'n/a',
    ]
  })
  return {
    id: 'footprint',
    title: '6 Footprint',
    paragraphs: [
      'Cold start is the time from spawning the process to all-healthy (micro: every replica ' +
        'healthy and the gateway answering), first on an empty data directory (creating and seeding ' +
        'every database) and then again on the data it left. RSS sums every process of the ' +
        'deployment (supervisor and gateway included), idle and at its peak under the product-page load.',
      fp.binary
        ? `Both deployments ship as one executable, \`${fp.binary.path}\`, of ${f.mb(fp.binary.bytes)} ` +
          '(the microservices run it once per service).'
        : 'The single executable (`npm run build` → dist/twinstack) was not built in this run.',
    ],
    tables: [
      {
        headers: [
          'deployment',
          'processes',
          'first start',
          'restart',
          'idle RSS',
          'RSS under load',
          'data on disk',
        ],
        rows,
        numeric: [1, 2, 3, 4, 5],
      },
    ],
    charts: [],
  }
}

// crashVerdict is one deployment's verdict: held (no violation), or how many violations
export const crashVerdict = (violations: number) =>
  violations === 0 ? 'held' : `violated (${f.int(violations)})`

// crashSection shows `npm run verify` on both deployments: one row per invariant, checked and
// violations per deployment, and a line per deployment with what the run did
function crashSection(r: Results): Section | null {
  const c = r.scenarios['crash-safety']
  if (!c) return null
  const deployments = ['monolith', 'micro'].filter((d) => c.runs.some((x) => x.deployment === d))
  const result = (d: string) => c.runs.find((x) => x.deployment === d)?.result ?? null
  // every invariant any run checked, in the checker's order
  const names = [
    ...new Set(deployments.flatMap((d) => (result(d)?.invariants ?? []).map((i) => i.name))),
  ]
  const rows = names.map((name) => [
    name,
    ...deployments.flatMap((d) => {
      const i = result(d)?.invariants.find((x) => x.name === name)
      return i ? [f.int(i.checked), f.int(i.violations)] : ['n/a', 'n/a']
    }),
  ])
  const lines = c.runs.map((x) => {
    const v = x.result
    if (!v)
      return `**${x.deployment}**: the checker could not run (${(x.error ?? '').split('\n')[0]}).`
    const n = v.counts
    return (
      `**${x.deployment}**: ${v.durationS} s of load, a kill every ${v.killEveryS} s, seed ${v.seed}: ` +
      `${f.int(n.checkouts ?? 0)} checkouts, ${f.int(n.acked ?? 0)} acknowledged, ` +
      `${f.int(n.kills ?? 0)} kills (${f.int(n['processes killed'] ?? 0)} processes killed), ` +
      `${f.int(n.replayed ?? 0)} resends; ${f.int(v.violations)} violations: ` +
      `**${crashVerdict(v.violations)}** (the run took ${f.int(x.elapsedMs / 1000)} s).` +
      (v.notes.length ? ` Notes: ${v.notes.join('; ')}.` : '')
    )
  })
  const examples = c.runs.flatMap((x) =>
    (x.result?.invariants ?? [])
      .filter((i) => i.violations > 0)
      .map((i) => `${x.deployment} · ${i.name}: ${i.examples.slice(0, 3).join('; ')}`),
  )
  return {
    id: 'crash-safety',
    title: '7 Crash safety',
    paragraphs: [
      '`npm run verify` on each deployment, on fresh data: concurrent clients send checkouts ' +
        '(each with an Idempotency-Key) and product reads while random processes are SIGKILLed ' +
        '(micro: any service, sometimes several at once, restarted by the supervisor; monolith: ' +
        'the process, restarted by its keeper). Then every checkout that got no definite answer ' +
        'is resent with its key until it gets one, the queues drain, and what the deployment ' +
        'holds is reconciled against what the clients were told.',
      ...lines,
      ...(examples.length ? [`Violations found: ${examples.join(' · ')}.`] : []),
    ],
    tables: names.length
      ? [
          {
            headers: [
              'invariant',
              ...deployments.flatMap((d) => [`${d} checked`, `${d} violations`]),
            ],
            rows,
            numeric: deployments.flatMap((_, i) => [1 + 2 * i, 2 + 2 * i]),
          },
        ]
      : [],
    charts: [],
  }
}

// deploySentences states scenario 4's failed requests per redeployed service
export function deploySentences(h: Headline): string {
  return h.deployFailed
    .map(
      (d) =>
        `Redeploying ${d.target} under load failed ${f.int(d.micro)} requests on the microservices; ` +
        `restarting the monolith failed ${f.int(d.monolith)}` +
        (d.monolithRolling === null
          ? '.'
          : `, and rolling two monolith processes that share the port failed ${f.int(d.monolithRolling)}.`),
    )
    .join(' ')
}

// deployVerdict says what the redeploy figures mean for the claim
export function deployVerdict(h: Headline): string {
  const worstMicro = Math.max(...h.deployFailed.map((d) => d.micro ?? 0))
  const bestMicro = Math.min(...h.deployFailed.map((d) => d.micro ?? Number.POSITIVE_INFINITY))
  const mono = Math.min(...h.deployFailed.map((d) => d.monolith ?? Number.POSITIVE_INFINITY))
  const rolling = h.deployFailed
    .map((d) => d.monolithRolling)
    .filter((x): x is number => x !== null)
  const parts: string[] = []
  if (bestMicro < mono) {
    parts.push(
      'Redeploying one service left the endpoints that do not use it untouched, which a ' +
        'single-process monolith cannot do',
    )
  }
  if (worstMicro > 0) {
    parts.push(
      'a service with one replica is still down while it restarts, so its own endpoints fail ' +
        '(and stay failed until the callers’ breakers close again)',
    )
  }
  if (rolling.length && Math.max(...rolling) <= bestMicro) {
    parts.push(
      'and a monolith run as two processes on one port rolled with no more failures: zero ' +
        'downtime comes from replicas and draining, not from the split into services',
    )
  }
  return parts.length ? `${parts.join('; ')}.` : ''
}

// claimsSection says, claim by claim of the seed, what the figures show
function claimsSection(r: Results): Section {
  const h = headline(r)
  const fp = r.scenarios.footprint
  const e = r.scenarios.endpoints
  const lim = r.scenarios.limits
  const paragraphs: string[] = []
  const unaff = h.unaffectedAvailability
  paragraphs.push(
    '**Deployment** ("individual services can be deployed without affecting others, reducing ' +
      'downtime"). ' +
      (h.deployFailed.length
        ? `${deploySentences(h)} ${deployVerdict(h)}`
        : 'Scenario 4 did not run.'),
  )
  paragraphs.push(
    '**Scalability** ("services can be scaled independently"). ' +
      (r.scenarios.scaling
        ? `A second storefront replica changed product-page throughput by ${f.x(h.scalingSpeedup.micro)}; a second ` +
          `monolith process by ${f.x(h.scalingSpeedup.monolith)}. Independent scaling is real (one ` +
          'service got a replica, nothing else changed), but on this ' +
          `${r.machine.cores}-core machine a replica only helps where CPU is idle` +
          (h.productCpuRatio !== null
            ? `, and a product page costs the microservices ${f.x(h.productCpuRatio)} the CPU it costs the monolith, so ` +
              'the same cores serve fewer pages.'
            : '.')
        : 'Scenario 5 did not run.'),
  )
  paragraphs.push(
    '**Fault tolerance** ("failure of one service doesn\'t affect the entire application"). ' +
      (unaff.length
        ? unaff
            .map(
              (u) =>
                (u.saturated
                  ? `With ${u.target} down: a deployment was already saturated by the paced load before the fault, so no verdict is drawn (see scenario 3). `
                  : '') +
                `With ${u.target} down, the endpoints that do not need it stayed ${f.pct(u.micro)} available on ` +
                `the microservices and ${f.pct(u.monolith)} on the monolith, where the same fault takes the ` +
                'process down.',
            )
            .join(' ') +
          ` Messages lost or duplicated across all fault runs: ${f.int(h.messagesLost)} and ${f.int(h.messagesDuplicated)}. ` +
          (r.scenarios['fault-classes']
            ? 'Faults other than crashes (errors, latency, hangs, CPU, leaks, poison messages) are scenario 8.'
            : 'The bench injects crash-type faults only here; scenario 8 (fault-classes) covers ' +
              'the other classes and did not run.')
        : 'Scenario 3 did not run.'),
  )
  paragraphs.push(
    '**Communication** ("services communicate via APIs, adding flexibility") — and its price. ' +
      (e
        ? `The product page takes ${f.int(e.probes.find((p) => p.endpoint === 'product page' && p.deployment === 'micro')?.hops)} internal hops ` +
          `on the microservices and none in the monolith; each hop costs about ${f.ms(h.latencyPerHopMs)} ms ` +
          `of latency and ${f.int(h.cpuPerHopUs)} µs of CPU, so the microservices serve ` +
          `${f.x(h.productThroughputRatio)} the monolith's product-page throughput at ${f.x(h.productP99Ratio)} its p99.`
        : 'Scenario 2 did not run.') +
      (lim
        ? ` For scale: a raw Bun server reaches ${f.int(lim.summary.find((s) => s.deployment === 'bun-static')?.rps)} req/s on this machine.`
        : ''),
  )
  paragraphs.push(
    '**Structure, development, technology, testing**. These claims are about people and code, not ' +
      'about run-time figures, and the bench does not measure them. What it does show: both ' +
      'deployments run the very same module code (only the wiring differs), so the technology is ' +
      'one stack either way' +
      (fp?.binary ? ` and one ${f.mb(fp.binary.bytes)} executable` : '') +
      (fp
        ? `; splitting it into processes costs ${f.mb(h.idleRss.micro)} of idle memory against ` +
          `${f.mb(h.idleRss.monolith)} for the monolith.`
        : '.'),
  )
  return {
    id: 'claims',
    title: "What the figures say about the seed's claims",
    paragraphs,
    tables: [],
    charts: [],
  }
}

function flagsSection(r: Results): Section {
  const flagged = [
    ...allRuns(r)
      .filter((x) => x.flags.length)
      .map((x) => [
        `${x.scenario} · ${x.cell} · ${x.deployment} #${x.repeat + 1}`,
        x.flags.join(', '),
        f.cores(x.generatorCores),
        f.cores(x.machineBusyCores),
        f.cores(x.othersCores),
      ]),
    ...(r.scenarios.failure?.runs ?? [])
      .filter((x) => x.flags.length)
      .map((x) => [
        `failure · ${x.target} · ${x.deployment}`,
        x.flags.join(', '),
        f.cores(x.generatorCores),
        '',
        '',
      ]),
    ...(r.scenarios.deployment?.runs ?? [])
      .filter((x) => x.flags.length)
      .map((x) => [
        `deployment · ${x.target} · ${x.deployment} #${x.repeat + 1}`,
        x.flags.join(', '),
        f.cores(x.generatorCores),
        '',
        '',
      ]),
  ]
  const used = new Set(flagged.flatMap((row) => row[1]!.split(', ')))
  const gens = allRuns(r)
    .map((x) => x.generatorCores)
    .filter((x): x is number => x !== null)
  return {
    id: 'flags',
    title: 'Flags',
    paragraphs: [
      `The load generator (${r.options.tool}) used ${f.cores(median(gens))} cores in the median run and ` +
        `${f.cores(gens.length ? Math.max(...gens) : null)} at most (it can use ${r.options.tool === 'wrk' ? 'one core per thread' : 'one core: autocannon is one JavaScript thread'}). ` +
        `${flagged.length} figure${flagged.length === 1 ? '' : 's'} carry a flag.`,
      ...(Object.keys(FLAG_TEXT) as FlagCode[])
        .filter((c) => used.has(c))
        .map((c) => `\`${c}\`: ${FLAG_TEXT[c]}.`),
    ],
    tables: flagged.length
      ? [
          {
            headers: [
              'run',
              'flags',
              'generator cores',
              'machine busy cores',
              'other processes cores',
            ],
            rows: flagged,
            numeric: [2, 3, 4],
          },
        ]
      : [],
    charts: [],
  }
}

function methodSection(r: Results): Section {
  const m = r.machine as Record<string, any>
  return {
    id: 'method',
    title: 'Method and machine',
    paragraphs: [
      `Machine: ${m.cpuModel}, ${m.cores} cores, ${f.mb(m.memoryBytes)} RAM, ${m.os || m.platform} (kernel ${m.kernel}). ` +
        `Versions: ${Object.entries(r.versions)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}. ` +
        `Commit ${r.commit.sha.slice(0, 10)}${r.commit.dirty ? ' (with uncommitted changes)' : ''}: ${r.commit.subject}.`,
      'Every deployment runs in its own processes on loopback; the load generator runs in another ' +
        'process (autocannon driven from `bench/loadgen.ts`, or wrk), and its CPU is measured from ' +
        'its own process. Server CPU and RSS are read from /proc for every process of the ' +
        "deployment; the machine's busy time from /proc/stat, and the CPU of processes that are not " +
        "the bench's is reported so a noisy neighbour shows. Closed-loop runs alternate the " +
        'deployments (monolith, micro, monolith, micro …) after a warm-up, and every figure is the ' +
        'median of the repeats; ratios are micro ÷ monolith from the same run. Failure and ' +
        'deployment scenarios use a paced load (a fixed rate per endpoint, one record per request) ' +
        'so a dead server shows as failed requests, not as a faster loop; that rate is calibrated ' +
        "to the machine: a stated share of the weaker deployment's closed-loop capacity for the " +
        'same mix, measured first. A paced run that was saturated before its fault or redeploy is ' +
        'marked so, and no verdict is drawn from it.',
      spreadText(r),
      `Reproduce: \`${r.command}\` (${Math.round(r.elapsedS)} s).`,
      ...(r.errors.length
        ? [
            `Scenarios that failed: ${r.errors.map((e) => `${e.scenario} (${e.message.split('\n')[0]})`).join('; ')}.`,
          ]
        : []),
    ],
    tables: [],
    charts: [],
  }
}

// profileSection lists the hot functions of the --profile run
function profileSection(r: Results): Section | null {
  const p = r.profile
  if (!p) return null
  return {
    id: 'profile',
    title: `CPU profile: ${p.target}`,
    paragraphs: [
      `Bun's CPU profiler ran in ${p.target} while the product page was loaded closed loop for ` +
        `${p.durationS} s (${f.int(p.rps)} req/s at the gateway or monolith). ` +
        (p.file
          ? `The whole profile is \`${p.file}\` in this folder; the functions with the most self time:`
          : `No profile was written${p.error ? ` (${p.error})` : ''}.`),
    ],
    tables: p.top.length
      ? [
          {
            headers: ['self', 'total', 'function', 'where'],
            rows: p.top.map((h) => [`${h.selfPct} %`, `${h.totalPct} %`, h.fn, h.location]),
            numeric: [0, 1],
          },
        ]
      : [],
    charts: [],
  }
}

// reportSections builds the whole report in order
export function reportSections(r: Results): Section[] {
  return [
    profileSection(r),
    limitsSection(r),
    endpointsSection(r),
    failureSection(r),
    deploymentSection(r),
    scalingSection(r),
    footprintSection(r),
    crashSection(r),
    faultClassesSection(r),
    layoutsSection(r),
    claimsSection(r),
    flagsSection(r),
    methodSection(r),
  ].filter((s): s is Section => s !== null)
}

// headlineLines are the headline figures as short sentences (report top and README)
export function headlineLines(r: Results): string[] {
  const h = headline(r)
  const lines: string[] = []
  if (r.scenarios.endpoints) {
    lines.push(
      `Product page: micro/monolith throughput ${f.x(h.productThroughputRatio)} ` +
        `(${f.int(h.productRps.micro)} vs ${f.int(h.productRps.monolith)} req/s), p99 ${f.x(h.productP99Ratio)} ` +
        `(${f.ms(h.productP99.micro)} vs ${f.ms(h.productP99.monolith)} ms).`,
      `Gateway and service hops: about ${f.ms(h.latencyPerHopMs)} ms of unloaded latency and ` +
        `${f.int(h.cpuPerHopUs)} µs of CPU per internal hop (median over the endpoints).`,
    )
  }
  for (const u of h.unaffectedAvailability) {
    lines.push(
      `With ${u.target} down, endpoints that do not need it stayed ${f.pct(u.micro)} available on micro ` +
        `vs ${f.pct(u.monolith)} on the monolith.`,
    )
  }
  for (const d of h.deployFailed) {
    lines.push(
      `Redeploying ${d.target} under load: ${f.int(d.micro)} failed requests on micro vs ${f.int(d.monolith)} restarting the monolith.`,
    )
  }
  if (r.scenarios.scaling) {
    lines.push(
      `A second replica/process: ${f.x(h.scalingSpeedup.micro)} (micro) vs ${f.x(h.scalingSpeedup.monolith)} (monolith) product-page throughput.`,
    )
  }
  if (r.scenarios.footprint) {
    lines.push(
      `Idle memory: ${f.mb(h.idleRss.micro)} (micro) vs ${f.mb(h.idleRss.monolith)} (monolith).`,
    )
  }
  const crash = r.scenarios['crash-safety']
  if (crash) {
    lines.push(
      `Crash safety (\`npm run verify\`, SIGKILLs under checkouts): ${crash.runs
        .map((x) =>
          x.result
            ? `${x.deployment} ${crashVerdict(x.result.violations)} over ${f.int(x.result.counts.acked ?? 0)} acknowledged checkouts and ${f.int(x.result.counts.kills ?? 0)} kills`
            : `${x.deployment} could not run`,
        )
        .join('; ')}.`,
    )
  }
  const fc = r.scenarios['fault-classes']
  if (fc) lines.push(faultClassesHeadline(fc))
  const layouts = layoutsHeadline(r)
  if (layouts) lines.push(layouts)
  lines.push(
    `Load generator CPU: at most ${f.cores(h.generatorCoresMax)} cores; ${h.flagged} closed-loop figures flagged.`,
  )
  return lines
}
