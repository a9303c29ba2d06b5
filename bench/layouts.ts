// Scenario 9's plan, figures and pure helpers: the same code in several process layouts
// (`twinstack micro --layout …`), and one service on Bun beside the same service on Node
import type { BenchOptions } from './options.ts'
import type { RunRecord } from './results.ts'
import { availability, mean, median, type PacedRecord } from './stats.ts'

// LayoutSpec is one layout the scenario measures
export interface LayoutSpec {
  id: string
  label: string
  // the real monolith deployment (the reference point) or `twinstack micro --layout <layout>`
  deployment: 'monolith' | 'micro'
  layout: string | null
  // processes asked to run on Node through TWINSTACK_NODE_SERVICES (until `node:` groups work)
  nodeServices?: string[]
}

// CUSTOM_LAYOUT is the custom layout: by-domain (the plan's five groups) with its writes,
// shop-writes (users, orders, checkout, shipping), on Node
export const CUSTOM_LAYOUT =
  'shop-reads=storefront+catalog+pricing+reviews+inventory,' +
  'node:shop-writes=users+orders+checkout+shipping,payments,' +
  'messaging=notifications+reporting,loans=loan-validation+credit-check+loan-approval'

// LAYOUTS are every layout of a full run, the reference first
export const LAYOUTS: readonly LayoutSpec[] = [
  {
    id: 'monolith-deployment',
    label: 'monolith deployment',
    deployment: 'monolith',
    layout: null,
  },
  { id: 'monolith', label: 'monolith layout', deployment: 'micro', layout: 'monolith' },
  { id: 'by-domain', label: 'by-domain', deployment: 'micro', layout: 'by-domain' },
  { id: 'micro', label: 'micro', deployment: 'micro', layout: 'micro' },
  {
    id: 'custom',
    label: 'by-domain, shop-writes on node',
    deployment: 'micro',
    layout: CUSTOM_LAYOUT,
    nodeServices: ['shop-writes'],
  },
]

// TECH_SERVICE is the technology row's service: a read endpoint, measured at its own port
export const TECH_SERVICE = 'reviews'

// LayoutSettings are scenario 9's parameters
export interface LayoutSettings {
  layouts: LayoutSpec[]
  durationS: number
  warmupS: number
  connections: number
  probeRequests: number
  users: number
  // the paced mixed load while the process hosting payments is killed
  steadyS: number
  faultS: number
  rate: number
  // the Bun vs Node row (full runs only), and how many restarts time its start
  technology: boolean
  starts: number
}

// layoutSettings derives scenario 9's parameters: under two minutes in a full run, two
// layouts briefly (the monolith deployment and micro, always available) in a quick one; the
// probe's unloaded requests are the only warm-up
export function layoutSettings(o: BenchOptions): LayoutSettings {
  const quick = o.quick
  return {
    layouts: quick
      ? LAYOUTS.filter((l) => l.id === 'monolith-deployment' || l.id === 'micro')
      : [...LAYOUTS],
    durationS: quick ? o.durationS : Math.max(1, Math.round(o.durationS * 0.6)),
    warmupS: 0,
    connections: o.connections,
    probeRequests: quick ? 4 : 10,
    // a Node group hashes passwords slower: eight logins at once met the gateway's deadline
    users: 4,
    steadyS: quick ? 1 : 1.5,
    faultS: quick ? 1.5 : 2.5,
    rate: 10,
    technology: !quick,
    starts: 2,
  }
}

// layoutSeconds guesses the scenario's wall time: per layout a start (the monolith's is quick),
// logins, two closed-loop runs and the paced fault; then the technology row's two deployments.
// Measured on a busy two-core machine: quick 16-21 s, every layout at --duration 1 in 62 s
// (micro healthy in 1.3-5.6 s)
export function layoutSeconds(s: LayoutSettings): number {
  const load = 1 + 2 * (s.durationS + s.warmupS + 0.4) + s.steadyS + s.faultS + 0.5
  const starts = s.layouts.reduce((n, l) => n + (l.deployment === 'monolith' ? 1 : 4), 0)
  const tech = s.technology ? 2 * (4 + s.durationS + s.warmupS + 0.4 + 1.5 * s.starts) : 0
  return starts + s.layouts.length * load + tech
}

// ProcessGroup is one process (or the replicas of one) of a running layout, as observed
export interface ProcessGroup {
  name: string
  modules: string[]
  // the executable the process runs (read from /proc/<pid>/exe): bun or node
  runtime: string
  pids: number[]
}

// BlastRadius is what killing the process that hosts payments took down
export interface BlastRadius {
  // the process killed and the modules it hosted
  killed: string
  modules: string[]
  // the endpoints the module manifests say need one of those modules
  expectedDown?: string[]
  endpoints: {
    name: string
    requests: number
    availabilityBefore: number | null
    availabilityDuring: number | null
  }[]
  // share of the endpoints under half available while it was down
  endpointsDown: number | null
  // mean availability of the endpoints that do not need payments
  unrelatedServed: number | null
  // the layout could not serve the paced load before the kill: no verdict
  saturated: boolean
}

// LayoutRun is one layout's figures, or why it was not measured
export interface LayoutRun {
  id: string
  label: string
  deployment: 'monolith' | 'micro'
  layout: string | null
  available: boolean
  reason?: string
  // the layout ran but its measurement failed (the error's first line)
  failed?: string
  groups: ProcessGroup[]
  // OS processes of the deployment (supervisor with the gateway included)
  processes: number | null
  startMs: number | null
  // closed-loop runs: cells 'product page' and 'checkout'
  runs: RunRecord[]
  hops: { product: number | null; checkout: number | null }
  // peak RSS of every process under the closed-loop loads
  rssBytes: number | null
  blast: BlastRadius | null
  notes: string[]
  // a group asked to run on Node ran on something else (the build cannot run Node groups yet)
  nodeMissing?: boolean
}

// layoutLabel is a layout's name in the report, saying when its Node group ran on Bun instead
export const layoutLabel = (l: LayoutRun) =>
  l.nodeMissing ? `${l.label} (ran on bun: no node)` : l.label

// TechRow is one runtime's figures for the technology row's service
export interface TechRow {
  runtime: 'bun' | 'node'
  available: boolean
  reason?: string
  run: RunRecord | null
  rssBytes: number | null
  // ms from the supervisor's spawn to healthy, one per restart
  startMs: number[]
}

// LayoutsFigures are scenario 8's results
export interface LayoutsFigures {
  layouts: LayoutRun[]
  ratePerEndpoint: number
  technology: { service: string; rows: TechRow[] } | null
}

// STATUS_ENTRY is what /_/status says of one process (modules and runtime when layouts exist)
export interface StatusProcess {
  name: string
  pid: number | null
  modules?: string[]
  runtime?: string
}

// groupsOf reads the processes of a status, one entry per name with every replica's pid
export function groupsOf(
  services: readonly StatusProcess[],
  runtimeOf: (pid: number) => string | null,
): ProcessGroup[] {
  const out = new Map<string, ProcessGroup>()
  for (const s of services) {
    if (s.name === 'gateway') continue
    const g = out.get(s.name) ?? {
      name: s.name,
      modules: s.modules?.length ? [...s.modules] : [s.name],
      runtime: 'unknown',
      pids: [],
    }
    if (s.pid) {
      g.pids.push(s.pid)
      g.runtime = runtimeOf(s.pid) ?? s.runtime ?? g.runtime
    }
    out.set(s.name, g)
  }
  return [...out.values()]
}

// parseLayout reads a custom layout ("a+b,node:c", a group optionally named "node:g=c+d") into
// module groups and their runtime
export function parseLayout(spec: string): { modules: string[]; runtime: string }[] {
  return spec
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean)
    .map((g) => {
      const colon = g.indexOf(':')
      const runtime = colon >= 0 ? g.slice(0, colon).trim() : 'bun'
      const rest = g.slice(colon + 1)
      return {
        modules: rest
          .slice(rest.indexOf('=') + 1)
          .split('+')
          .map((m) => m.trim())
          .filter(Boolean),
        runtime,
      }
    })
}

const key = (modules: readonly string[]) => [...modules].sort().join('+')

// layoutMismatch says why the running groups are not the layout asked for (null when they are):
// a deployment that ignores --layout runs the default one-service-per-module topology instead
export function layoutMismatch(spec: LayoutSpec, groups: readonly ProcessGroup[]): string | null {
  if (spec.deployment === 'monolith' || spec.layout === null) return null
  // the default topology already runs orders and checkout together
  const shared = groups.filter((g) => g.modules.length > 1 && key(g.modules) !== 'checkout+orders')
  if (spec.layout === 'micro') return null
  if (spec.layout === 'monolith') {
    return groups.length === 1 ? null : `${groups.length} processes run, not one group`
  }
  if (spec.layout === 'by-domain') {
    return shared.length > 0 ? null : 'every module still runs in a process of its own'
  }
  const wanted = parseLayout(spec.layout)
  const have = new Set(groups.map((g) => key(g.modules)))
  const missing = wanted.filter((w) => !have.has(key(w.modules)))
  return missing.length
    ? `no process runs ${missing.map((m) => m.modules.join('+')).join(', ')}`
    : null
}

// runtimeMismatch lists the groups asked to run on Node that run on something else
export function runtimeMismatch(spec: LayoutSpec, groups: readonly ProcessGroup[]): string[] {
  const wanted = spec.layout && spec.deployment === 'micro' ? parseLayout(spec.layout) : []
  const nodeModules = new Set(wanted.filter((w) => w.runtime === 'node').flatMap((w) => w.modules))
  const nodeNames = new Set(spec.nodeServices ?? [])
  return groups
    .filter(
      (g) =>
        (nodeNames.has(g.name) || g.modules.some((m) => nodeModules.has(m))) &&
        g.runtime !== 'node',
    )
    .map((g) => `${g.name} runs on ${g.runtime}, not node`)
}

// STEADY_GRACE_MS ends the steady window before the kill: a request sent just before it may be
// answered (or not) after it. STEADY_SERVED is the share the steady window must serve for the
// blast radius to mean anything (below it the layout was saturated by the paced load itself)
export const STEADY_GRACE_MS = 500
export const STEADY_SERVED = 0.95

// saturatedBeforeKill says whether a paced run served less than STEADY_SERVED of its requests
// before the kill (or never killed anything)
export function saturatedBeforeKill(
  streams: readonly { records: readonly PacedRecord[] }[],
  killAtMs: number | null,
): boolean {
  if (killAtMs === null) return true
  const to = Math.max(0, killAtMs - STEADY_GRACE_MS)
  const records = streams.flatMap((s) => s.records.filter((r) => r[0] < to))
  if (!records.length) return true
  const ok = records.filter((r) => r[2] >= 200 && r[2] < 400).length
  return ok / records.length < STEADY_SERVED
}

// blastRadius reads a paced run's records around the kill of the process hosting payments;
// `needing` are the endpoints that need payments (the others are "unrelated"), `expected` those
// the module manifests say the killed process takes down
export function blastRadius(
  killed: { name: string; modules: string[] },
  streams: readonly { name: string; records: readonly PacedRecord[] }[],
  window: { from: number; to: number },
  saturated: boolean,
  manifests: { needing: readonly string[]; expected: readonly string[] },
): BlastRadius {
  const endpoints = streams.map((s) => ({
    name: s.name,
    requests: s.records.length,
    availabilityBefore: availability(s.records, { from: 0, to: window.from }),
    availabilityDuring: availability(s.records, window),
  }))
  const measured = endpoints.filter((e) => e.availabilityDuring !== null)
  const down = measured.filter((e) => e.availabilityDuring! < 0.5).length
  const unrelated = measured.filter((e) => !manifests.needing.includes(e.name))
  return {
    killed: killed.name,
    modules: killed.modules,
    expectedDown: [...manifests.expected],
    endpoints,
    endpointsDown: saturated || !measured.length ? null : down / measured.length,
    unrelatedServed: saturated ? null : mean(unrelated.map((e) => e.availabilityDuring!)),
    saturated,
  }
}

// layoutRuns are every closed-loop record of the scenario (for flags and coverage)
export const layoutRuns = (f: LayoutsFigures | undefined): RunRecord[] => [
  ...(f?.layouts.flatMap((l) => l.runs) ?? []),
  ...(f?.technology?.rows.flatMap((r) => (r.run ? [r.run] : [])) ?? []),
]

// medianStartMs is a technology row's start time
export const medianStartMs = (row: TechRow) => median(row.startMs)
