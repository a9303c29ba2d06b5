import { join } from 'node:path'
import { wrkPath } from './wrk.ts'

// SCENARIOS are the bench's scenarios in the order they run (and their numbers, 1-based)
export const SCENARIOS = [
  'limits',
  'endpoints',
  'failure',
  'deployment',
  'scaling',
  'footprint',
  'crash-safety',
  'fault-classes',
  'layouts',
] as const
export type ScenarioName = (typeof SCENARIOS)[number]

// Tool is the closed-loop load generator of the throughput scenarios
export type Tool = 'autocannon' | 'wrk'

// BenchOptions are the command line of `npm run bench`, with defaults filled in
export interface BenchOptions {
  quick: boolean
  scenarios: ScenarioName[]
  // seconds of each measured load run, and of the warm-up before the first run of each cell
  durationS: number
  warmupS: number
  connections: number
  repeats: number
  tool: Tool
  // results go to <outDir>/<timestamp>/
  outDir: string
  // print only a line per step, never a live ticker (what CI and pipes get anyway)
  plain: boolean
  // a CPU profile of this process under the product-page load: monolith or micro:<service>
  profile: string | null
}

export const USAGE = `usage: npm run bench -- [options]
  --quick                smoke run of every scenario in about a minute
  --scenario a,b         some scenarios only: ${SCENARIOS.map((s, i) => `${i + 1}=${s}`).join(' ')}
  --duration S           seconds per measured run (default 4, quick 1); crash-safety's load
                         is 60 s × S/5, at most 60 (quick 7)
  --warmup S             seconds of warm-up per cell (default 2, quick 0)
  --connections N        connections of the closed-loop runs (default 50, quick 16)
  --repeats N            repeats per cell, alternating the deployments A B A B (default 3, quick 1)
  --tool autocannon|wrk  closed-loop generator (default wrk when on PATH, else autocannon;
                         paced load always uses autocannon's engine)
  --out DIR              results root (default bench/results)
  --plain                no live progress line
  --profile T            CPU profile of T (monolith or micro:<service>) under the product-page
                         load into the results folder, top functions in report.md; runs only
                         the profile unless --scenario is given too`

const positive = (name: string, value: string | undefined): number => {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${name} needs a positive number, got ${value}`)
  return n
}

// scenarioList reads "2,failure,5" into scenario names (numbers are 1-based)
export function scenarioList(spec: string): ScenarioName[] {
  const names = spec
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((s) => {
      const byNumber = /^\d+$/.test(s) ? SCENARIOS[Number(s) - 1] : undefined
      const byName = SCENARIOS.find((n) => n === s || n.startsWith(s))
      const found = byNumber ?? byName
      if (!found) throw new Error(`unknown scenario ${s} (known: ${SCENARIOS.join(', ')})`)
      return found
    })
  // keep the canonical order whatever order they were given in
  return SCENARIOS.filter((s) => names.includes(s))
}

// parseOptions reads the bench's command line (`--name value` or `--name=value`)
export function parseOptions(argv: string[], root = process.cwd()): BenchOptions {
  const values = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${USAGE}`)
    const eq = arg.indexOf('=')
    if (eq > 0) {
      values.set(arg.slice(2, eq), arg.slice(eq + 1))
    } else {
      const name = arg.slice(2)
      const next = argv[i + 1]
      const flag = ['quick', 'plain', 'help'].includes(name)
      if (!flag && next !== undefined && !next.startsWith('--')) {
        values.set(name, next)
        i++
      } else {
        values.set(name, true)
      }
    }
  }
  const known = [
    'quick',
    'scenario',
    'duration',
    'warmup',
    'connections',
    'repeats',
    'tool',
    'out',
    'plain',
    'profile',
    'help',
  ]
  for (const name of values.keys()) {
    if (!known.includes(name)) throw new Error(`unknown option --${name}\n${USAGE}`)
  }
  if (values.has('help')) throw new Error(USAGE)
  const str = (name: string) => {
    const v = values.get(name)
    if (v === true) throw new Error(`--${name} needs a value`)
    return v
  }
  const quick = values.has('quick')
  const duration = str('duration')
  const durationS = duration ? positive('--duration', duration) : quick ? 1 : 4
  // wrk when it is installed (autocannon costs a core and tops out near 60–70k req/s here), for
  // runs of a second or more: wrk counts its duration in whole seconds
  const tool = (str('tool') ?? (wrkPath() && durationS >= 1 ? 'wrk' : 'autocannon')) as Tool
  if (tool !== 'autocannon' && tool !== 'wrk') throw new Error(`unknown tool ${tool}`)
  const warmup = str('warmup')
  const connections = str('connections')
  const repeats = str('repeats')
  const scenario = str('scenario')
  const profile = str('profile') ?? null
  if (profile !== null && !/^(monolith|micro:[a-z-]+)$/.test(profile)) {
    throw new Error(`--profile takes monolith or micro:<service>, got ${profile}`)
  }
  return {
    quick,
    scenarios: scenario ? scenarioList(scenario) : profile ? [] : [...SCENARIOS],
    durationS,
    warmupS: warmup ? Number(warmup) : quick ? 0 : 2,
    connections: connections ? Math.round(positive('--connections', connections)) : quick ? 16 : 50,
    repeats: repeats ? Math.round(positive('--repeats', repeats)) : quick ? 1 : 3,
    tool,
    outDir: str('out') ?? join(root, 'bench', 'results'),
    plain: values.has('plain') || !process.stderr.isTTY,
    profile,
  }
}
