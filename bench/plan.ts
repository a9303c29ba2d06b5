import { type LayoutSettings, layoutSeconds, layoutSettings } from './layouts.ts'
import type { BenchOptions, ScenarioName } from './options.ts'

// Deployment is one of the two ways the domain runs; A is the monolith, B the microservices
export type Deployment = 'monolith' | 'micro'
export const DEPLOYMENTS: readonly Deployment[] = ['monolith', 'micro']

// ENDPOINTS are the public endpoints of scenario 2, one per pattern worth measuring; route
// names the endpoint of api.md it calls (what the module manifests know it by)
export const ENDPOINTS = [
  {
    id: 'product',
    label: 'product page',
    pattern: 'aggregator',
    method: 'GET',
    route: 'GET /api/products/{id}',
  },
  {
    id: 'search',
    label: 'product search',
    pattern: 'gateway + catalog',
    method: 'GET',
    route: 'GET /api/products',
  },
  {
    id: 'checkout',
    label: 'checkout',
    pattern: 'branch (writes)',
    method: 'POST',
    route: 'POST /api/checkout',
  },
  {
    id: 'loan',
    label: 'loan application',
    pattern: 'chain',
    method: 'POST',
    route: 'POST /api/loans',
  },
  {
    id: 'order-events',
    label: 'order with events',
    pattern: 'event sourcing',
    method: 'GET',
    route: 'GET /api/orders/{id}/events',
  },
  {
    id: 'sales-report',
    label: 'sales report',
    pattern: 'CQRS read model',
    method: 'GET',
    route: 'GET /api/reports/sales',
  },
] as const
export type EndpointId = (typeof ENDPOINTS)[number]['id']
export const endpointLabel = (id: string) => ENDPOINTS.find((e) => e.id === id)?.label ?? id

// LIMIT_CELLS are scenario 1's routes: reference servers alone, then each deployment beside
// its limit (the servers of a cell alternate A B A B)
export const LIMIT_CELLS = [
  'static JSON',
  'SQLite point read',
  'GET /_/health',
  'product page',
  'reviews through a proxy',
  // the aggregator alone, ours and a bare one, over the same leaves (ours): what the
  // aggregator's CPU owes to its callees (full runs only)
  'aggregator over our leaves',
] as const
// servers measured (for the time estimate) on the cells that judge or explain a target
// (product page, the proxies), and on the machine's own cells (static JSON, the point read,
// the health endpoints)
const TARGET_SERVERS = 8
const MACHINE_SERVERS = 4
// the aggregator's cell and the machine's own cells run at most this many repeats per server:
// the one explains a column of the product page's cell, the others show what the machine can
// do at all; neither decides a target, and a full run stays within its 20 minutes
export const AGGREGATOR_REPEATS = 2
export const MACHINE_REPEATS = 2
// the machine's own cells: what it can do at all, no deployment beside a limit
const MACHINE_CELLS: readonly string[] = LIMIT_CELLS.slice(0, 3)

// limitRepeats is how many times each server of a limits cell runs
export function limitRepeats(cell: string, repeats: number): number {
  if (cell === 'aggregator over our leaves') return Math.min(AGGREGATOR_REPEATS, repeats)
  if (MACHINE_CELLS.includes(cell)) return Math.min(MACHINE_REPEATS, repeats)
  return repeats
}

// Step is one measured run: a cell (endpoint, target, configuration) on one deployment
export interface Step<D extends string = string> {
  cell: string
  deployment: D
  repeat: number
}

// alternate orders runs A B A B … within each cell, so drift (heat, caches, the other
// deployment's background work) hits both deployments alike and ratios come from one run
export function alternate<D extends string>(
  cells: readonly string[],
  deployments: readonly D[],
  repeats: number,
): Step<D>[] {
  const steps: Step<D>[] = []
  for (const cell of cells) {
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const deployment of deployments) steps.push({ cell, deployment, repeat })
    }
  }
  return steps
}

// ClosedLoop is a throughput measurement: as many requests as the connections allow
export interface ClosedLoop {
  durationS: number
  warmupS: number
  repeats: number
  connections: number
}

// Settings are every scenario's parameters, derived from the command line
export interface Settings {
  limits: ClosedLoop & { targets: string[] }
  endpoints: ClosedLoop & { endpoints: EndpointId[]; probeRequests: number }
  failure: {
    targets: string[]
    steadyS: number
    faultS: number
    recoverS: number
    // requests per second per endpoint of the paced mixed load when calibration (a share of
    // the weaker deployment's capacity) could not measure it
    rate: number
    bucketMs: number
    drainS: number
  }
  deployment: {
    targets: string[]
    steadyS: number
    afterS: number
    budgetS: number
    repeats: number
    rate: number
    bucketMs: number
  }
  scaling: ClosedLoop & { counts: number[] }
  faultClasses: FaultClassesSettings
  // the paced scenarios' rate: a share of the weaker deployment's closed-loop capacity for
  // the mixed load (failure.rate per endpoint when it cannot be measured)
  calibration: {
    // quick runs (a smoke check) skip it and offer the fixed rate, saying so
    enabled: boolean
    durationS: number
    warmupS: number
    connections: number
    share: number
  }
  footprint: { repeats: number; loadS: number; settleS: number; buildBinary: boolean }
  // `npm run verify` once per deployment: checkouts while processes are SIGKILLed
  crash: {
    durationS: number
    killEveryS: number
    seed: number
    clients: number
    users: number
    settleS: number
  }
  // scenario 9: the same code in several process layouts, and Bun beside Node
  layouts: LayoutSettings
}

const round = (n: number, step = 0.5) => Math.max(step, Math.round(n / step) * step)

// QUICK_CRASH_S is the quick run's load per deployment: two kills, enough to reconcile
const QUICK_CRASH_S = 6

// settings derives each scenario's parameters: full runs take about ten minutes, quick about one
export function settings(o: BenchOptions): Settings {
  const closed: ClosedLoop = {
    durationS: o.durationS,
    warmupS: o.warmupS,
    repeats: o.repeats,
    connections: o.connections,
  }
  // the timed scenarios scale with --duration (5 s is the reference)
  const k = o.durationS / 5
  return {
    // a quick run keeps the cells where the deployments run beside their limits
    limits: { ...closed, targets: o.quick ? LIMIT_CELLS.slice(3, 5) : [...LIMIT_CELLS] },
    endpoints: {
      ...closed,
      // a quick run keeps the product page (the aggregator, whose hops the report costs), the
      // search and the checkout
      endpoints: o.quick
        ? (['product', 'search', 'checkout'] as EndpointId[])
        : ENDPOINTS.map((e) => e.id),
      probeRequests: o.quick ? 5 : 40,
    },
    failure: {
      targets: o.quick ? ['payments'] : ['payments', 'reviews'],
      // shorter than it was (5, 10, 8 s) since fault-classes covers crashes of every module
      // too: the figures the README quotes from it (served during the fault, breaker, back
      // after, messages) need only a few seconds of each phase
      steadyS: o.quick ? 1 : round(4 * k),
      faultS: o.quick ? 2 : round(7 * k),
      recoverS: o.quick ? 1.5 : round(6 * k),
      rate: o.quick ? 20 : 40,
      bucketMs: o.quick ? 250 : 500,
      drainS: o.quick ? 5 : 15,
    },
    deployment: {
      targets: o.quick ? ['storefront'] : ['storefront', 'orders'],
      steadyS: o.quick ? 1 : round(3 * k),
      afterS: o.quick ? 1 : round(4 * k),
      // time left for the redeploy itself between the steady and the after phase
      budgetS: o.quick ? 2 : 3,
      repeats: o.quick ? 1 : Math.min(2, o.repeats),
      rate: o.quick ? 20 : 40,
      bucketMs: 250,
    },
    scaling: { ...closed, counts: [1, 2] },
    faultClasses: faultClassesSettings(o),
    calibration: {
      enabled: !o.quick,
      durationS: o.quick ? Math.min(0.5, o.durationS) : 3,
      warmupS: o.quick ? 0 : 1,
      connections: o.quick ? 8 : 32,
      share: 0.5,
    },
    footprint: {
      repeats: o.quick ? 1 : Math.min(3, o.repeats),
      loadS: o.quick ? 1 : o.durationS,
      settleS: o.quick ? 0.25 : 2,
      buildBinary: !o.quick,
    },
    // the full run is 60 s of load; a shorter --duration shortens it, a longer one
    // never lengthens it (the scenario stays near three minutes)
    crash: {
      // the 60 s at the default --duration, shorter with shorter runs
      durationS: o.quick ? QUICK_CRASH_S : Math.min(60, round((60 * o.durationS) / 4, 5)),
      killEveryS: 3,
      seed: 1,
      clients: 10,
      users: 12,
      settleS: o.quick ? 10 : 30,
    },
    layouts: layoutSettings(o),
  }
}

// calibrationS is the time the paced scenarios' calibration takes (once per bench run)
const calibrationS = (s: Settings) =>
  s.calibration.enabled ? 2 * (s.calibration.durationS + s.calibration.warmupS + 0.4) + 8 : 0

// estimateSeconds guesses each scenario's wall time (for the progress display's ETA)
export function estimateSeconds(s: Settings): Record<ScenarioName, number> {
  const closedLoop = (c: ClosedLoop, cells: number, deployments: number) =>
    cells * deployments * (c.repeats * (c.durationS + 0.4) + c.warmupS)
  const f = s.failure
  const d = s.deployment
  return {
    limits:
      6 +
      closedLoop(s.limits, 1, TARGET_SERVERS) +
      (s.limits.targets.length < 5
        ? 0
        : closedLoop(
            { ...s.limits, repeats: Math.min(MACHINE_REPEATS, s.limits.repeats) },
            1,
            MACHINE_SERVERS,
          )) +
      (s.limits.targets.includes('aggregator over our leaves')
        ? closedLoop({ ...s.limits, repeats: Math.min(AGGREGATOR_REPEATS, s.limits.repeats) }, 1, 2)
        : 0),
    endpoints: 8 + closedLoop(s.endpoints, s.endpoints.endpoints.length, 2) + 3,
    failure: f.targets.length * 2 * (f.steadyS + f.faultS + f.recoverS + 6) + calibrationS(s),
    // full runs add a third fleet: two monolith processes rolled one at a time
    deployment:
      d.targets.length *
        (d.targets.length > 1 ? 3 : 2) *
        d.repeats *
        (d.steadyS + d.afterS + d.budgetS + 1) +
      6,
    scaling: s.scaling.counts.length * (6 + closedLoop(s.scaling, 1, 2)),
    // the calibration is counted once, with the failure scenario (it is cached for the run)
    'fault-classes': faultClassesSeconds(s.faultClasses),
    footprint:
      s.footprint.repeats * 5 + 8 + 2 * s.footprint.loadS + (s.footprint.buildBinary ? 10 : 0),
    // per deployment: the load, then start, recovery, replay, drain and reading what it holds
    // (grows with the orders the load made: 60 s took 95 s on the monolith on a busy machine)
    'crash-safety': 2 * (1.3 * s.crash.durationS + 5),
    layouts: layoutSeconds(s.layouts),
  }
}

// FaultClassesSettings are the fault-classes scenario's phases and bounds (seconds)
export interface FaultClassesSettings {
  quick: boolean
  // per cell: steady load, the fault, then the load after the heal
  steadyS: number
  faultS: number
  recoverS: number
  // the paced load's own timeout per request (ms)
  timeoutMs: number
  // the most a cell waits after its load for a killed process to be back
  backS: number
  // the most the bench waits for the heal to be answered (from the heal) before it kills what
  // holds the fault
  healS: number
  // per cell, the most it waits for the queues to drain before reading dead letters; per
  // deployment, before counting the confirmations
  cellDrainS: number
  drainS: number
  users: number
}

// faultClassesSettings: full runs fit 28 cells in about four minutes, quick runs 7 in ~20 s
export function faultClassesSettings(o: BenchOptions): FaultClassesSettings {
  return o.quick
    ? {
        quick: true,
        steadyS: 0.5,
        faultS: 1,
        recoverS: 1,
        timeoutMs: 2000,
        backS: 8,
        healS: 2,
        cellDrainS: 1,
        drainS: 3,
        users: 4,
      }
    : {
        quick: false,
        steadyS: 1,
        faultS: 2.5,
        recoverS: 2,
        timeoutMs: 3000,
        backS: 15,
        healS: 4,
        cellDrainS: 3,
        drainS: 10,
        users: 12,
      }
}

// faultClassesSeconds estimates the scenario: the cells' load plus about a second each for the
// load generator and the waits, and per deployment its start, logins and the message count
export function faultClassesSeconds(s: FaultClassesSettings): number {
  // per cell: the load generator's start and end, the waits for a restarted process and the
  // queues (a bounded heal that had to kill a process adds a few seconds to its cell)
  const cell = s.steadyS + s.faultS + s.recoverS + (s.quick ? 0.4 : 1.5)
  // quick: 7 cells over both deployments side by side (21-22 s measured on a busy 2-core
  // machine); full: 7 × 2 cells per deployment
  return s.quick ? 4 * cell + 10 : 2 * (14 * cell + 15)
}
