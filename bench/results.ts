import type { VerifyResult } from '../scripts/verify.ts'
import type { OpenBreaker } from './breaker-probe.ts'
import type { CostLadder } from './cost-ladder.ts'
import type { FaultClassesResult } from './fault-classes.ts'
import type { FaultCost } from './fault-cost.ts'
import { type FlagCode, flagRepeats, flagRun, mergeFlags } from './flags.ts'
import type { HopFloor } from './hop-floor.ts'
import type { GatewayLadder, HopLadder } from './hop-ladder.ts'
import type { LayoutsFigures } from './layouts.ts'
import type { ClosedRun, Sampled } from './load.ts'
import type { Latency } from './loadgen.ts'
import type { BenchOptions, ScenarioName, Tool } from './options.ts'
import type { ProfileResult } from './profile.ts'
import type { Calibration } from './scenarios/calibrate.ts'
import type { Timeline } from './stats.ts'
import { median } from './stats.ts'

// RunRecord is one measured closed-loop run, every raw figure kept
export interface RunRecord extends Sampled {
  scenario: ScenarioName
  cell: string
  deployment: string
  repeat: number
  tool: Tool
  durationS: number
  connections: number
  requests: number
  failures: number
  rps: number
  statusCodes: Record<string, number>
  latency: Latency
  flags: FlagCode[]
}

// toRecord turns a closed run into a record, with its flags
export function toRecord(
  r: ClosedRun,
  at: { scenario: ScenarioName; cell: string; deployment: string; repeat: number },
  job: { durationS: number; connections: number },
  machineCores: number,
): RunRecord {
  const o = r.output
  // a non-2xx answer or an error that got no answer at all are both failures
  const failures = o.non2xx + o.errors
  const requests = o.requests + o.errors
  return {
    ...at,
    tool: r.tool,
    durationS: job.durationS,
    connections: job.connections,
    requests,
    failures,
    rps: o.rps,
    statusCodes: o.statusCodes,
    latency: o.latency,
    generatorCores: r.generatorCores,
    generatorThreads: r.generatorThreads,
    serverCores: r.serverCores,
    serverRssBytes: r.serverRssBytes,
    serverPeakRssBytes: r.serverPeakRssBytes,
    serverProcesses: r.serverProcesses,
    ...(r.serverCoresByRole ? { serverCoresByRole: r.serverCoresByRole } : {}),
    machineBusyCores: r.machineBusyCores,
    othersCores: r.othersCores,
    flags: flagRun({
      requests,
      failures,
      generatorCores: r.generatorCores,
      serverCores: r.serverCores,
      generatorThreads: r.generatorThreads,
      machineCores,
      machineBusyCores: r.machineBusyCores,
      othersCores: r.othersCores,
    }),
  }
}

// CellSummary is the medians of a cell's repeats on one deployment
export interface CellSummary {
  cell: string
  deployment: string
  repeats: number
  rps: number | null
  p50: number | null
  p90: number | null
  p99: number | null
  // median latency at each percentile, for the percentile curves
  curve: { p: number; ms: number | null }[]
  errorRate: number | null
  generatorCores: number | null
  serverCores: number | null
  // server CPU time per request, in microseconds
  cpuUsPerRequest: number | null
  rssBytes: number | null
  flags: FlagCode[]
}

const CURVE: [number, keyof Latency][] = [
  [2.5, 'p2_5'],
  [50, 'p50'],
  [75, 'p75'],
  [90, 'p90'],
  [97.5, 'p97_5'],
  [99, 'p99'],
  [99.9, 'p99_9'],
]

const nums = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null)

// summarise groups runs by cell and deployment and takes medians of the repeats
export function summarise(runs: readonly RunRecord[]): CellSummary[] {
  const groups = new Map<string, RunRecord[]>()
  for (const r of runs) {
    const key = `${r.cell}\u0000${r.deployment}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  return [...groups.values()].map((rs) => {
    const rps = [...rs].sort((a, b) => a.repeat - b.repeat).map((r) => r.rps)
    const cpuPerRequest = nums(
      rs.map((r) => (r.serverCores !== null && r.rps > 0 ? (r.serverCores / r.rps) * 1e6 : null)),
    )
    return {
      cell: rs[0]!.cell,
      deployment: rs[0]!.deployment,
      repeats: rs.length,
      rps: median(rps),
      p50: median(rs.map((r) => r.latency.p50)),
      p90: median(rs.map((r) => r.latency.p90)),
      p99: median(rs.map((r) => r.latency.p99)),
      curve: CURVE.map(([p, k]) => ({ p, ms: median(rs.map((r) => r.latency[k])) })),
      errorRate: median(rs.map((r) => (r.requests ? r.failures / r.requests : 0))),
      generatorCores: median(nums(rs.map((r) => r.generatorCores))),
      serverCores: median(nums(rs.map((r) => r.serverCores))),
      cpuUsPerRequest: median(cpuPerRequest),
      rssBytes: median(nums(rs.map((r) => r.serverPeakRssBytes))),
      flags: mergeFlags(...rs.map((r) => r.flags), flagRepeats(rps)),
    }
  })
}

// LimitRatio is one deployment's figure over its limit's on one cell (runs alternating A B A B):
// the ratio of the medians, and the range of the ratios repeat by repeat
export interface LimitRatio {
  id: string
  label: string
  cell: string
  subject: string
  limit: string
  // false when the limit (or the subject) has no figures: "not measured", never a guess
  measured: boolean
  throughput: number | null
  throughputRange: [number, number] | null
  p99: number | null
  p99Range: [number, number] | null
  // throughput at least, p99 at most
  target: { throughput?: number; p99?: number }
  // for a ratio without a target of its own: which target it explains (default: the row above)
  explains?: string
  // any flag on the runs (a saturated machine, a generator at its limit): no verdict from them
  flags: FlagCode[]
  repeats: number
}

// limitRatio compares subject with limit on one cell of a scenario's runs
export function limitRatio(
  runs: readonly RunRecord[],
  o: Pick<LimitRatio, 'id' | 'label' | 'cell' | 'subject' | 'limit' | 'target' | 'explains'>,
): LimitRatio {
  const of = (d: string) =>
    runs.filter((r) => r.cell === o.cell && r.deployment === d).sort((a, b) => a.repeat - b.repeat)
  const a = of(o.subject)
  const b = of(o.limit)
  const pairs = a
    .map((x) => [x, b.find((y) => y.repeat === x.repeat)] as const)
    .filter((p): p is readonly [RunRecord, RunRecord] => p[1] !== undefined)
  const range = (xs: (number | null)[]): [number, number] | null => {
    const v = nums(xs)
    return v.length ? [Math.min(...v), Math.max(...v)] : null
  }
  const div = (x: number | null | undefined, y: number | null | undefined) =>
    x !== null && x !== undefined && y ? x / y : null
  return {
    ...o,
    measured: pairs.length > 0,
    throughput: div(median(a.map((r) => r.rps)), median(b.map((r) => r.rps))),
    throughputRange: range(pairs.map(([x, y]) => div(x.rps, y.rps))),
    p99: div(median(a.map((r) => r.latency.p99)), median(b.map((r) => r.latency.p99))),
    p99Range: range(pairs.map(([x, y]) => div(x.latency.p99, y.latency.p99))),
    flags: mergeFlags(...pairs.flatMap(([x, y]) => [x.flags, y.flags])),
    repeats: pairs.length,
  }
}

// saturatedSteady says whether a paced run could not keep up before anything was done to it:
// less than 99 % served in the steady window, or the bench's own load left no idle CPU (with
// someone else's load on the machine the run carries background-load instead)
export function saturatedSteady(
  streams: readonly { records: readonly [number, number, number][] }[],
  window: { from: number; to: number },
  flags: readonly FlagCode[],
): boolean {
  if (flags.includes('cpu-saturated') && !flags.includes('background-load')) return true
  const inWindow = streams.flatMap((s) =>
    s.records.filter((r) => r[0] >= window.from && r[0] < window.to),
  )
  if (inWindow.length === 0) return false
  const ok = inWindow.filter((r) => r[2] >= 200 && r[2] < 400).length
  return ok / inWindow.length < 0.99
}

// find picks the summary of one cell on one deployment
export const find = (s: readonly CellSummary[], cell: string, deployment: string) =>
  s.find((x) => x.cell === cell && x.deployment === deployment)

// Probe is scenario 2's unloaded look at an endpoint: sequential requests, one at a time
export interface Probe {
  endpoint: string
  deployment: string
  samples: number
  // median latency of one request with nothing else in flight (ms), and what the headers said
  p50Ms: number | null
  hops: number | null
  internalBytes: number | null
  statuses: Record<string, number>
}

// Unloaded is one server's median latency for a product page requested one at a time
export interface Unloaded {
  server: string
  p50Ms: number | null
  // the tail one request at a time (absent in results from before it was kept)
  p99Ms?: number | null
  // internal hops the answer said it took (X-Hops), where it says
  hops: number | null
}

// EndpointRatio compares the deployments on one endpoint (micro / monolith)
export interface EndpointRatio {
  endpoint: string
  throughput: number | null
  p50: number | null
  p99: number | null
  cpuPerRequest: number | null
  // the unloaded latency the micro deployment adds per internal hop (ms), and the CPU
  // (microseconds per request, all processes) it adds per hop
  latencyPerHopMs: number | null
  cpuPerHopUs: number | null
}

// FaultRun is one failure-isolation run: a paced mixed load while a service (or module) fails
export interface FaultRun {
  target: string
  deployment: string
  method: string
  ratePerEndpoint: number
  durationMs: number
  timeline: { bucketMs: number; endpoints: { name: string; total: number[]; ok: number[] }[] }
  events: { atMs: number; kind: string; detail: string }[]
  faultAtMs: number | null
  restartAtMs: number | null
  healthyAtMs: number | null
  endpoints: {
    name: string
    requests: number
    availabilityBefore: number | null
    availabilityDuring: number | null
    availabilityAfter: number | null
    recoveryMs: number | null
    degraded: number
  }[]
  breakerOpenMs: number | null
  // p99 latency (ms) of the requests that met the open breaker: the endpoints that need the
  // failed service, from the breaker opening to the restart (micro only)
  openBreakerP99Ms?: number | null
  // the deployment could not serve the offered load before the fault (or the machine was full):
  // no verdict is drawn from this run
  saturated?: boolean
  messages: {
    confirmed: number
    notified: number
    lost: number
    duplicated: number
    readModelOrders: number | null
    pendingAfterDrain: number | null
    deadLettered: number | null
    complete: boolean
  }
  generatorCores: number | null
  flags: FlagCode[]
  notes: string[]
}

// DeployRun is one redeploy under a paced mixed load
export interface DeployRun {
  target: string
  deployment: string
  repeat: number
  method: string
  durationMs: number
  redeployAtMs: number | null
  redeployMs: number | null
  timeline: { bucketMs: number; endpoints: { name: string; total: number[]; ok: number[] }[] }
  endpoints: { name: string; requests: number; failed: number; unavailableS: number }[]
  // offered requests per second per endpoint, and whether the steady phase was saturated
  ratePerEndpoint?: number
  saturated?: boolean
  generatorCores: number | null
  flags: FlagCode[]
}

// FootprintFigures are scenario 6's
export interface FootprintFigures {
  starts: { deployment: string; repeat: number; kind: 'first (seeding)' | 'restart'; ms: number }[]
  memory: {
    deployment: string
    processes: number
    idleRssBytes: number
    loadRssBytes: number | null
    loadRps: number | null
  }[]
  dataBytes: { deployment: string; bytes: number; files: number }[]
  binary: { path: string; bytes: number; built: boolean } | null
  generatorCores: number | null
}

// CrashRun is one `npm run verify` run of the crash-safety scenario: what the checker found, or
// why it could not run
export interface CrashRun {
  deployment: string
  elapsedMs: number
  result: VerifyResult | null
  error?: string
}

// Results is results.json: every raw figure with the machine, versions and commit
export interface Results {
  schema: 1
  startedAt: string
  finishedAt: string
  elapsedS: number
  command: string
  options: BenchOptions
  machine: Record<string, unknown>
  versions: Record<string, string>
  commit: { sha: string; dirty: boolean; subject: string }
  scenarios: {
    limits?: {
      runs: RunRecord[]
      summary: CellSummary[]
      ratios?: LimitRatio[]
      // the product page requested one at a time on each server of its cell (scenario 1)
      unloaded?: Unloaded[]
      // meeting an open breaker one request at a time (null: the probe failed, see notes)
      openBreaker?: OpenBreaker | null
      notes?: string[]
      faultInjection?: FaultCost
      hopFloor?: HopFloor
      costLadder?: CostLadder
      hopLadder?: HopLadder
      gatewayLadder?: GatewayLadder
    }
    endpoints?: {
      runs: RunRecord[]
      summary: CellSummary[]
      probes: Probe[]
      ratios: EndpointRatio[]
      targets?: LimitRatio[]
    }
    failure?: { runs: FaultRun[]; calibration?: Calibration }
    deployment?: { runs: DeployRun[]; calibration?: Calibration }
    scaling?: { runs: RunRecord[]; summary: CellSummary[] }
    footprint?: FootprintFigures
    'crash-safety'?: { runs: CrashRun[] }
    'fault-classes'?: FaultClassesResult
    layouts?: LayoutsFigures
  }
  // --profile: a CPU profile of one process under the product-page load
  profile?: ProfileResult
  errors: { scenario: string; message: string }[]
}

// Timelines of a paced run, per endpoint
export type EndpointTimeline = Timeline & { name: string }

// deploymentsCovered lists, per scenario that ran, which deployments produced figures
export function deploymentsCovered(r: Results): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const s = r.scenarios
  const uniq = (xs: string[]) => [...new Set(xs)].sort()
  const kind = (d: string) =>
    d.startsWith('micro') ? 'micro' : d.startsWith('monolith') ? 'monolith' : d
  if (s.limits)
    out.limits = uniq(s.limits.summary.filter((x) => x.rps).map((x) => kind(x.deployment)))
  if (s.endpoints) {
    out.endpoints = uniq(s.endpoints.summary.filter((x) => x.rps).map((x) => kind(x.deployment)))
  }
  if (s.failure) {
    out.failure = uniq(
      s.failure.runs
        .filter((x) => x.endpoints.some((e) => e.requests > 0))
        .map((x) => kind(x.deployment)),
    )
  }
  if (s.deployment) {
    out.deployment = uniq(
      s.deployment.runs
        .filter((x) => x.endpoints.some((e) => e.requests > 0))
        .map((x) => kind(x.deployment)),
    )
  }
  if (s.scaling)
    out.scaling = uniq(s.scaling.summary.filter((x) => x.rps).map((x) => kind(x.deployment)))
  if (s.footprint) {
    out.footprint = uniq([
      ...s.footprint.starts.map((x) => kind(x.deployment)),
      ...s.footprint.memory.map((x) => kind(x.deployment)),
    ])
  }
  const crash = s['crash-safety']
  if (crash) {
    out['crash-safety'] = uniq(
      crash.runs
        .filter((x) => (x.result?.counts.checkouts ?? 0) > 0)
        .map((x) => kind(x.deployment)),
    )
  }
  const fc = s['fault-classes']
  if (fc) {
    out['fault-classes'] = uniq(
      fc.cells
        .filter((x) => x.endpoints.some((e) => e.requests > 0))
        .map((x) => kind(x.deployment)),
    )
  }
  if (s.layouts) {
    out.layouts = uniq(
      s.layouts.layouts.filter((x) => x.runs.some((r) => r.rps > 0)).map((x) => x.deployment),
    )
  }
  return out
}
