// The fault-classes matrix: which fault classes exist, what one cell of the matrix measured,
// the figures derived from a cell's requests, and the isolating mechanisms the data shows.
// The scenario (bench/scenarios/fault-classes.ts) fills cells; report-model.ts renders them.
import type { FlagCode } from './flags.ts'
import { affected } from './report-model.ts'
import type { Calibration } from './scenarios/calibrate.ts'
import { isSuccess, type PacedRecord, quantile, recoveryMs } from './stats.ts'

// FaultClassId names one class of fault the chaos API injects
export type FaultClassId = 'crash' | 'errors' | 'latency' | 'hang' | 'cpu' | 'leak' | 'poison'

// FaultClass is how the bench injects one class: the chaos route, its body, the CLI line
export interface FaultClass {
  id: FaultClassId
  // how long the fault makes one call into the target wait (ms; Infinity: until healed)
  waitMs: number
  // POST /_/chaos/<action>
  action: string
  body: (target: string) => Record<string, unknown>
  // the arguments of `npm run chaos -- …` that inject the same fault by hand
  cli: (target: string) => string
  // what the class stands for, in words (the report's legend)
  what: string
}

// the fault parameters, stated once (report and CLI lines read them from here)
export const FAULT_PARAMS = {
  errorRate: 1,
  latencyMs: 1500,
  cpuMs: 50,
  leakMiBPerSec: 200,
  // the memory limit both deployments start with (per service on micro) for the leak class
  maxRssMiB: 400,
} as const

// FAULT_CLASSES are the classes in the order the scenario runs them on each deployment
export const FAULT_CLASSES: readonly FaultClass[] = [
  {
    id: 'crash',
    waitMs: 0,
    action: 'crash',
    body: (target) => ({ target }),
    cli: (t) => `crash ${t}`,
    what: 'the next call into the target ends its process (SIGKILL)',
  },
  {
    id: 'errors',
    waitMs: 0,
    action: 'errors',
    body: (target) => ({ target, rate: FAULT_PARAMS.errorRate }),
    cli: (t) => `errors ${t} ${FAULT_PARAMS.errorRate}`,
    what: `${FAULT_PARAMS.errorRate * 100} % of calls into the target fail with 503`,
  },
  {
    id: 'latency',
    waitMs: FAULT_PARAMS.latencyMs,
    action: 'latency',
    body: (target) => ({ target, ms: FAULT_PARAMS.latencyMs, jitter: 0 }),
    cli: (t) => `latency ${t} ${FAULT_PARAMS.latencyMs}`,
    what: `every call into the target waits ${FAULT_PARAMS.latencyMs} ms first`,
  },
  {
    id: 'hang',
    waitMs: Number.POSITIVE_INFINITY,
    action: 'hang',
    body: (target) => ({ target }),
    cli: (t) => `hang ${t}`,
    what: 'calls into the target get no answer until it is healed',
  },
  {
    id: 'cpu',
    waitMs: 0,
    action: 'cpu',
    body: (target) => ({ target, ms: FAULT_PARAMS.cpuMs }),
    cli: (t) => `cpu ${t} ${FAULT_PARAMS.cpuMs}`,
    what: `every call into the target burns ${FAULT_PARAMS.cpuMs} ms of CPU synchronously`,
  },
  {
    id: 'leak',
    waitMs: 0,
    action: 'leak',
    body: (target) => ({ target, mibPerSec: FAULT_PARAMS.leakMiBPerSec }),
    cli: (t) => `leak ${t} ${FAULT_PARAMS.leakMiBPerSec}`,
    what:
      `the target's process retains ${FAULT_PARAMS.leakMiBPerSec} MiB/s more memory, against ` +
      `a limit of --max-rss ${FAULT_PARAMS.maxRssMiB} MiB`,
  },
  {
    id: 'poison',
    waitMs: 0,
    action: 'poison',
    body: (target) => ({ target }),
    cli: (t) => `poison ${t}`,
    what: 'the next message the target consumes throws on every delivery',
  },
]

// FAULT_MODULES are the matrix's rows per class: the write path and the read path
export const FAULT_MODULES = ['payments', 'reviews'] as const

// chaosTarget is where a class is injected for a module: a poison message needs a consumer,
// so poison arms the consumer of the module's messages (payments' events are consumed by
// notifications); a module whose messages nobody consumes has no poison cell (null)
export function chaosTarget(cls: FaultClassId, module: string): string | null {
  if (cls !== 'poison') return module
  return POISON_CONSUMER[module] ?? null
}
const POISON_CONSUMER: Record<string, string> = { payments: 'notifications' }

// needingEndpoints names the endpoints that need a target (to serve, or to serve in full), from
// the module manifests (no endpoint waits for notifications)
export const needingEndpoints = (target: string): string[] => affected(target)

// Mechanism is an isolating mechanism a cell's data showed
export type Mechanism =
  | 'process boundary'
  | 'breaker'
  | 'bulkhead'
  | 'non-blocking calls'
  | 'timeout'
  | 'dead letter'

// CellEndpoint is one endpoint's figures in one cell
export interface CellEndpoint {
  name: string
  needsTarget: boolean
  requests: number
  servedSteady: number | null
  servedDuringFault: number | null
  p99DuringFaultMs: number | null
  recoveryMs: number | null
}

// FaultCell is one cell of the matrix: a class injected into one module on one deployment
export interface FaultCell {
  cls: FaultClassId
  module: string
  // where the fault was injected (the module itself, or its consumer for poison)
  target: string | null
  deployment: string
  // measured: the fault was injected; unavailable: the deployment refused it (the route or
  // the class does not exist there); not-applicable: no such target for this class
  state: 'measured' | 'unavailable' | 'not-applicable'
  // why a cell is unavailable or not applicable (the chaos route's answer)
  reason?: string
  // the commands that reproduce the cell by hand
  cli: string[]
  ratePerEndpoint: number
  phases: { steadyMs: number; faultMs: number; recoverMs: number }
  faultAtMs: number | null
  healAtMs: number | null
  endpoints: CellEndpoint[]
  // share served during the fault of the endpoints that do not need the target (pooled)
  unrelatedServed: number | null
  unrelatedP99SteadyMs: number | null
  unrelatedP99FaultMs: number | null
  // share served during the fault of the endpoints that need it
  needingServed: number | null
  needingP99SteadyMs: number | null
  needingP99FaultMs: number | null
  // from heal until every endpoint's later requests all succeeded; null: not within the run
  recoveryMs: number | null
  // answers the deployment gave a needing endpoint after waiting ≥ TIMEOUT_MIN_MS but before
  // the heal, that were a 5xx or came sooner than the fault's own wait (a degraded answer): a
  // deadline cut the call short; and requests the load generator gave up on (no answer)
  deadlineAnswers: number
  noAnswer: number
  // a breaker towards the target opened during the fault (ms after the fault), micro only
  breakerOpenMs: number | null
  // processes whose pid or restart count changed during the cell
  restarted: string[]
  // the process the fault killed was back (healthy) this long after the heal; null: not seen
  backAfterMs: number | null
  deadLetters: number | null
  // orders confirmed during the cell and what became of their confirmations
  messages: { confirmed: number; lost: number; duplicated: number } | null
  saturated: boolean
  // the heal was not answered in time and the bench killed what held the fault (restarted
  // then by the keeper or the supervisor): the deployment could not recover on its own
  forcedRestart?: boolean
  flags: FlagCode[]
  notes: string[]
}

// FaultClassesResult is the whole scenario
export interface FaultClassesResult {
  cells: FaultCell[]
  calibration?: Calibration
  params: typeof FAULT_PARAMS
  // how each deployment was started (so the cells can be reproduced)
  starts: { deployment: string; command: string }[]
}

// a 5xx that took at least this long was waited for, then cut short by a deadline
export const TIMEOUT_MIN_MS = 250

type Window = { from: number; to: number }
const inside = (w: Window) => (r: PacedRecord) => r[0] >= w.from && r[0] < w.to
const served = (rs: readonly PacedRecord[]) =>
  rs.length ? rs.filter((r) => isSuccess(r[2])).length / rs.length : null
const p99 = (rs: readonly PacedRecord[]) =>
  rs.length
    ? quantile(
        rs.map((r) => r[1]),
        0.99,
      )
    : null

// cellFigures derives a cell's per-endpoint and pooled figures from its paced records: the
// steady window is before the fault, the fault window from injection to heal; p99s count
// every request of the window (a failure's latency too, so a timed-out call is not hidden)
export function cellFigures(
  streams: readonly { name: string; records: readonly PacedRecord[] }[],
  target: string,
  w: { faultAtMs: number; healAtMs: number; endMs: number },
  // how long the fault itself makes a call wait (latency: its ms; hang: for ever; else 0)
  injectedWaitMs = 0,
) {
  const needs = needingEndpoints(target)
  const steady = inside({ from: 0, to: w.faultAtMs })
  const fault = inside({ from: w.faultAtMs, to: w.healAtMs })
  const endpoints: CellEndpoint[] = streams.map((s) => {
    const during = s.records.filter(fault)
    const after = s.records.filter(inside({ from: w.healAtMs, to: w.endMs }))
    return {
      name: s.name,
      needsTarget: needs.includes(s.name),
      requests: s.records.length,
      servedSteady: served(s.records.filter(steady)),
      servedDuringFault: served(during),
      p99DuringFaultMs: p99(during),
      recoveryMs: after.length ? recoveryMs(after, w.healAtMs) : null,
    }
  })
  const pool = (need: boolean, win: (r: PacedRecord) => boolean) =>
    streams.filter((s) => needs.includes(s.name) === need).flatMap((s) => s.records.filter(win))
  const needingFault = pool(true, fault)
  const recoveries = endpoints.map((e) => e.recoveryMs)
  return {
    endpoints,
    unrelatedServed: served(pool(false, fault)),
    unrelatedP99SteadyMs: p99(pool(false, steady)),
    unrelatedP99FaultMs: p99(pool(false, fault)),
    needingServed: served(needingFault),
    needingP99SteadyMs: p99(pool(true, steady)),
    needingP99FaultMs: p99(needingFault),
    // one endpoint that never settled leaves the cell unrecovered
    recoveryMs: recoveries.some((x) => x === null)
      ? null
      : Math.max(0, ...recoveries.filter((x): x is number => x !== null)),
    deadlineAnswers: needingFault.filter(
      (r) =>
        r[2] !== 0 &&
        r[1] >= TIMEOUT_MIN_MS &&
        (r[2] >= 500 || r[1] < injectedWaitMs) &&
        // a call the heal released was not cut short
        r[0] + r[1] < w.healAtMs - 50,
    ).length,
    noAnswer: needingFault.filter((r) => r[2] === 0).length,
  }
}

// ISOLATED is the unrelated endpoints' served share a cell must reach to count as isolated
export const ISOLATED = 0.99

// a slowdown that stays under both bounds did not spread to the unrelated endpoints
const notSlowed = (fault: number | null, steady: number | null) =>
  fault !== null && steady !== null && fault <= Math.max(2 * steady, steady + 20)

// mechanisms lists what a cell's data shows kept the fault from spreading (or signalled it):
// - process boundary: a process was restarted and the unrelated endpoints stayed served
// - breaker: a breaker towards the target opened
// - timeout: the deployment answered a needing endpoint's call with a 5xx after waiting
// - bulkhead (micro) or non-blocking calls (monolith): nothing restarted, the needing
//   endpoints suffered, the unrelated ones stayed served with their p99 within 2× (or +20 ms
//   of) the steady p99; on micro the faulty service's own process is the compartment, in the
//   monolith only the awaiting calls were held (nothing shared ran out)
// - dead letter: messages were dead-lettered during the cell
export function mechanisms(c: FaultCell): Mechanism[] {
  if (c.state !== 'measured') return []
  const out: Mechanism[] = []
  const isolated = c.unrelatedServed !== null && c.unrelatedServed >= ISOLATED
  if (c.restarted.length && isolated && !c.forcedRestart) out.push('process boundary')
  if (c.breakerOpenMs !== null) out.push('breaker')
  if (c.deadlineAnswers > 0) out.push('timeout')
  const hurt =
    (c.needingServed !== null && c.needingServed < ISOLATED) ||
    (c.needingP99FaultMs !== null &&
      c.needingP99SteadyMs !== null &&
      !notSlowed(c.needingP99FaultMs, c.needingP99SteadyMs))
  if (
    !c.restarted.length &&
    hurt &&
    isolated &&
    notSlowed(c.unrelatedP99FaultMs, c.unrelatedP99SteadyMs)
  )
    out.push(c.deployment === 'monolith' ? 'non-blocking calls' : 'bulkhead')
  if ((c.deadLetters ?? 0) > 0) out.push('dead letter')
  return out
}

// verdictOf says how a cell reads in the matrix: isolated, not isolated, or why no verdict
export function verdictOf(c: FaultCell): 'isolated' | 'spread' | 'saturated' | 'n/a' {
  if (c.state !== 'measured' || c.unrelatedServed === null) return 'n/a'
  if (c.saturated) return 'saturated'
  return c.unrelatedServed >= ISOLATED ? 'isolated' : 'spread'
}
