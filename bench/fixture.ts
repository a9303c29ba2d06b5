// A small, complete results.json for the report tests: every scenario with figures for both
// deployments, numbers chosen so the expected sentences are easy to check by hand
import type { VerifyResult } from '../scripts/verify.ts'
import {
  FAULT_PARAMS,
  type FaultCell,
  type FaultClassesResult,
  type FaultClassId,
} from './fault-classes.ts'
import { layoutsFixture } from './fixture-layouts.ts'
import type { FlagCode } from './flags.ts'
import type { Latency } from './loadgen.ts'
import { parseOptions } from './options.ts'
import { ENDPOINTS } from './plan.ts'
import { type Probe, type Results, type RunRecord, summarise } from './results.ts'
import { endpointRatios } from './scenarios/endpoints.ts'

const latency = (p50: number): Latency => ({
  min: p50 / 4,
  mean: p50 * 1.2,
  max: p50 * 20,
  p2_5: p50 / 2,
  p50,
  p75: p50 * 1.5,
  p90: p50 * 2,
  p97_5: p50 * 3,
  p99: p50 * 4,
  p99_9: p50 * 8,
})

// run builds one closed-loop record
export function run(
  scenario: RunRecord['scenario'],
  cell: string,
  deployment: string,
  rps: number,
  p50: number,
  opts: { repeat?: number; flags?: FlagCode[]; serverCores?: number } = {},
): RunRecord {
  return {
    scenario,
    cell,
    deployment,
    repeat: opts.repeat ?? 0,
    tool: 'autocannon',
    durationS: 5,
    connections: 32,
    requests: rps * 5,
    failures: 0,
    rps,
    statusCodes: { '200': rps * 5 },
    latency: latency(p50),
    generatorCores: 0.3,
    generatorThreads: 1,
    serverCores: opts.serverCores ?? 1.5,
    serverRssBytes: 100 * 2 ** 20,
    serverPeakRssBytes: 120 * 2 ** 20,
    serverProcesses: deployment === 'micro' ? 16 : 1,
    machineBusyCores: 1.8,
    othersCores: 0,
    flags: opts.flags ?? [],
  }
}

const timeline = (names: string[], down: string[], n = 8) => ({
  bucketMs: 500,
  endpoints: names.map((name) => ({
    name,
    total: Array(n).fill(10),
    ok: Array.from({ length: n }, (_, i) => (down.includes(name) && i >= 2 && i < 5 ? 0 : 10)),
  })),
})

// NAMES are the bench's endpoints as the reports label them
const NAMES = ENDPOINTS.map((e) => e.label)

// verifyResult is one `npm run verify` run: two invariants, violations only where asked
export function verifyResult(deployment: string, violations = 0): VerifyResult {
  return {
    deployment,
    seed: 1,
    durationS: 60,
    killEveryS: 3,
    clients: 10,
    users: 12,
    counts: { checkouts: 1200, acked: 1100, kills: 19, 'processes killed': 27, replayed: 40 },
    reads: { '200': 800 },
    kills: [{ atMs: 3000, targets: [deployment === 'micro' ? 'orders#0' : 'monolith'] }],
    notes: [],
    invariants: [
      {
        name: 'acknowledged checkout → one capture',
        checked: 1100,
        violations,
        examples: violations ? ['o-1: 2 captures'] : [],
      },
      { name: 'nothing stays reserved once idle', checked: 50, violations: 0, examples: [] },
    ],
    violations,
  }
}

// sampleResults is a results.json as a full run would write it
export function sampleResults(): Results {
  const limits = [
    run('limits', 'static JSON', 'bun-static', 40_000, 0.3, { flags: ['generator-bound'] }),
    run('limits', 'SQLite point read', 'hono-sqlite', 30_000, 0.4),
    run('limits', 'GET /_/health', 'monolith', 20_000, 0.5),
    run('limits', 'GET /_/health', 'micro', 19_000, 0.5),
  ]
  const endpoints = [
    run('endpoints', 'product page', 'monolith', 3000, 4),
    run('endpoints', 'product page', 'monolith', 3200, 4, { repeat: 1 }),
    run('endpoints', 'product page', 'micro', 750, 16, { serverCores: 1.8 }),
    run('endpoints', 'product page', 'micro', 750, 16, { repeat: 1, serverCores: 1.8 }),
    run('endpoints', 'checkout', 'monolith', 200, 50),
    run('endpoints', 'checkout', 'micro', 100, 100),
  ]
  const scaling = [
    run('scaling', '×1', 'monolith', 3000, 4),
    run('scaling', '×1', 'micro', 600, 20),
    run('scaling', '×2', 'monolith', 3600, 4),
    run('scaling', '×2', 'micro', 660, 18, { flags: ['cpu-saturated'] }),
  ]
  const eSummary = summarise(endpoints)
  const probe = (
    endpoint: string,
    deployment: string,
    p50Ms: number,
    hops: number,
    bytes: number,
  ) => ({
    endpoint,
    deployment,
    samples: 40,
    p50Ms,
    hops,
    internalBytes: bytes,
    statuses: { '200': 40 },
  })
  const probes: Probe[] = [
    probe('product page', 'monolith', 0.5, 0, 0),
    probe('product page', 'micro', 5.5, 5, 1300),
    probe('checkout', 'monolith', 4, 0, 0),
    probe('checkout', 'micro', 12, 8, 1900),
  ]
  const fault = (deployment: string, down: string[]) => ({
    target: 'payments',
    deployment,
    method: deployment === 'micro' ? 'supervisor kill' : 'chaos crash',
    ratePerEndpoint: 20,
    durationMs: 4000,
    timeline: timeline(NAMES, down),
    events: [
      { atMs: 1000, kind: 'fault', detail: 'kill payments' },
      { atMs: 2500, kind: 'restart', detail: 'start payments' },
      { atMs: 2700, kind: 'healthy', detail: 'payments healthy' },
    ],
    faultAtMs: 1000,
    restartAtMs: 2500,
    healthyAtMs: 2700,
    endpoints: NAMES.map((name) => ({
      name,
      requests: 80,
      availabilityBefore: 1,
      availabilityDuring: down.includes(name) ? 0 : 1,
      availabilityAfter: 1,
      recoveryMs: down.includes(name) ? 300 : 0,
      degraded: 0,
    })),
    breakerOpenMs: deployment === 'micro' ? 250 : null,
    messages: {
      confirmed: 40,
      notified: 40,
      lost: 0,
      duplicated: 0,
      readModelOrders: 40,
      pendingAfterDrain: 0,
      deadLettered: 0,
      complete: true,
    },
    generatorCores: 0.1,
    flags: [] as FlagCode[],
    notes: [],
  })
  const deploy = (deployment: string, failed: number) => ({
    target: 'storefront',
    deployment,
    repeat: 0,
    method: deployment === 'micro' ? 'rolling restart' : 'restart',
    durationMs: 4000,
    redeployAtMs: 1000,
    redeployMs: 600,
    timeline: timeline(NAMES, deployment === 'micro' ? [] : NAMES),
    endpoints: NAMES.map((name) => ({
      name,
      requests: 80,
      failed: deployment === 'micro' ? 0 : failed,
      unavailableS: deployment === 'micro' ? 0 : 0.25,
    })),
    generatorCores: 0.1,
    flags: [] as FlagCode[],
  })
  return {
    schema: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:10:00.000Z',
    elapsedS: 600,
    command: 'npm run bench',
    options: { ...parseOptions([], '/repo'), plain: true },
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      memoryBytes: 8 * 2 ** 30,
      platform: 'linux x64',
      kernel: '6.0',
      os: 'Test OS',
    },
    versions: { bun: '1.4.5', autocannon: '9.0.0' },
    commit: { sha: '0123456789abcdef', dirty: false, subject: 'test' },
    scenarios: {
      limits: { runs: limits, summary: summarise(limits) },
      endpoints: {
        runs: endpoints,
        summary: eSummary,
        probes,
        ratios: endpointRatios(eSummary, probes),
      },
      failure: { runs: [fault('monolith', NAMES), fault('micro', ['checkout'])] },
      deployment: { runs: [deploy('monolith', 4), deploy('micro', 0)] },
      scaling: { runs: scaling, summary: summarise(scaling) },
      footprint: {
        starts: [
          { deployment: 'monolith', repeat: 0, kind: 'first (seeding)', ms: 300 },
          { deployment: 'monolith', repeat: 0, kind: 'restart', ms: 150 },
          { deployment: 'micro', repeat: 0, kind: 'first (seeding)', ms: 1900 },
          { deployment: 'micro', repeat: 0, kind: 'restart', ms: 1700 },
        ],
        memory: [
          {
            deployment: 'monolith',
            processes: 1,
            idleRssBytes: 100 * 2 ** 20,
            loadRssBytes: 150 * 2 ** 20,
            loadRps: 3000,
          },
          {
            deployment: 'micro',
            processes: 16,
            idleRssBytes: 900 * 2 ** 20,
            loadRssBytes: 1000 * 2 ** 20,
            loadRps: 700,
          },
        ],
        dataBytes: [
          { deployment: 'monolith', bytes: 5 * 2 ** 20, files: 3 },
          { deployment: 'micro', bytes: 9 * 2 ** 20, files: 30 },
        ],
        binary: { path: 'dist/twinstack', bytes: 110 * 2 ** 20, built: false },
        generatorCores: 0.3,
      },
      'crash-safety': {
        runs: [
          { deployment: 'monolith', elapsedMs: 72_000, result: verifyResult('monolith') },
          { deployment: 'micro', elapsedMs: 95_000, result: verifyResult('micro') },
        ],
      },
      'fault-classes': sampleFaultClasses(),
      layouts: layoutsFixture(),
    },
    errors: [],
  }
}

// faultCell is one fabricated fault-classes cell: a clean measured cell unless told otherwise
export function faultCell(
  cls: FaultClassId,
  module: string,
  deployment: string,
  more: Partial<FaultCell> = {},
): FaultCell {
  const target = more.target === undefined ? module : more.target
  return {
    cls,
    module,
    target,
    deployment,
    state: 'measured',
    cli: [`npm run chaos -- ${cls} ${target}`, `npm run chaos -- heal ${target}`],
    ratePerEndpoint: 20,
    phases: { steadyMs: 1000, faultMs: 3000, recoverMs: 2500 },
    faultAtMs: 1000,
    healAtMs: 4000,
    endpoints: NAMES.map((name) => ({
      name,
      needsTarget: name === 'checkout',
      requests: 130,
      servedSteady: 1,
      servedDuringFault: 1,
      p99DuringFaultMs: 12,
      recoveryMs: 0,
    })),
    unrelatedServed: 1,
    unrelatedP99SteadyMs: 10,
    unrelatedP99FaultMs: 12,
    needingServed: 1,
    needingP99SteadyMs: 10,
    needingP99FaultMs: 12,
    recoveryMs: 0,
    deadlineAnswers: 0,
    noAnswer: 0,
    breakerOpenMs: null,
    restarted: [],
    backAfterMs: null,
    deadLetters: 0,
    messages: { confirmed: 60, lost: 0, duplicated: 0 },
    saturated: false,
    flags: [],
    notes: [],
    ...more,
  }
}

// sampleFaultClasses is a small fault-classes matrix: crash on payments (micro isolates it
// behind the process boundary, the monolith goes down), cpu on reviews (spreads on the
// monolith, saturated on micro), hang on payments unavailable on micro, poison dead-letters
export function sampleFaultClasses(): FaultClassesResult {
  return {
    params: FAULT_PARAMS,
    starts: [
      { deployment: 'monolith', command: 'npm run monolith -- --max-rss 400' },
      { deployment: 'micro', command: 'npm run micro -- --max-rss 400' },
    ],
    cells: [
      faultCell('crash', 'payments', 'monolith', {
        unrelatedServed: 0.4,
        needingServed: 0.3,
        restarted: ['monolith'],
        backAfterMs: 300,
        recoveryMs: 900,
      }),
      faultCell('crash', 'payments', 'micro', {
        needingServed: 0.2,
        restarted: ['payments'],
        breakerOpenMs: 150,
        recoveryMs: 1200,
      }),
      faultCell('cpu', 'reviews', 'monolith', {
        unrelatedServed: 0.9,
        unrelatedP99FaultMs: 900,
        needingServed: 0.85,
      }),
      faultCell('cpu', 'reviews', 'micro', { saturated: true, unrelatedServed: 0.97 }),
      faultCell('hang', 'payments', 'monolith', {
        needingServed: 0,
        needingP99FaultMs: 3000,
        noAnswer: 40,
      }),
      faultCell('hang', 'payments', 'micro', {
        state: 'unavailable',
        reason: 'POST /_/chaos/hang answered 404',
        unrelatedServed: null,
        messages: null,
      }),
      faultCell('poison', 'payments', 'micro', {
        target: 'notifications',
        deadLetters: 1,
        needingServed: null,
        messages: { confirmed: 60, lost: 1, duplicated: 0 },
      }),
      faultCell('poison', 'reviews', 'micro', {
        target: null,
        state: 'not-applicable',
        reason: 'nothing consumes the messages of reviews',
        cli: [],
      }),
    ],
  }
}
