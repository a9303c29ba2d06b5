import { spread } from './stats.ts'

// FlagCode names a reason not to take a figure at face value
export type FlagCode =
  | 'generator-bound'
  | 'cpu-saturated'
  | 'background-load'
  | 'errors'
  | 'few-samples'
  | 'noisy'
  | 'drifting'

// FLAG_TEXT explains each flag in the report
export const FLAG_TEXT: Record<FlagCode, string> = {
  'generator-bound':
    'the load generator used (almost) all the CPU it can use, so the server may be faster than this figure',
  'cpu-saturated':
    'the machine had (almost) no idle CPU: generator and servers compete for the same cores, so the figure is a floor',
  'background-load':
    'processes outside the bench used a quarter of a core or more during the run, taking CPU from it',
  errors: 'more than 1 % of the requests failed, so throughput and latency include failures',
  'few-samples': 'too few requests for stable percentiles (a smoke run)',
  noisy: 'the repeats differ by more than 15 %, so the median is uncertain',
  drifting:
    'throughput fell from repeat to repeat (by more than 15 % overall): the system slows down as its data grows, so the figure depends on how long it has run',
}

// THRESHOLDS are where the flags start
export const THRESHOLDS = {
  // share of the generator's usable cores (1 for autocannon, its thread count for wrk)
  generatorBusy: 0.85,
  // share of the machine's cores busy (anything, kernel included)
  machineBusy: 0.9,
  // cores used by processes that are not the bench's
  othersCores: 0.25,
  errorRate: 0.01,
  minRequests: 200,
  maxSpread: 0.15,
} as const

// RunFigures are what flagging needs to know of one closed-loop run
export interface RunFigures {
  // requests attempted, and how many of them failed (non-2xx, refused, timed out)
  requests: number
  failures: number
  // CPU used, in cores, by the generator and by the servers under test
  generatorCores: number | null
  serverCores: number | null
  // cores the generator can use at most: autocannon is one JS thread, wrk one per thread
  generatorThreads: number
  machineCores: number
  // the whole machine's busy cores, and those used by processes outside the bench
  machineBusyCores: number | null
  othersCores: number | null
}

// flagRun lists the flags one run earns
export function flagRun(f: RunFigures, t = THRESHOLDS): FlagCode[] {
  const flags: FlagCode[] = []
  if (f.generatorCores !== null && f.generatorCores >= t.generatorBusy * f.generatorThreads) {
    flags.push('generator-bound')
  }
  if (f.machineBusyCores !== null && f.machineBusyCores >= t.machineBusy * f.machineCores) {
    flags.push('cpu-saturated')
  }
  if (f.othersCores !== null && f.othersCores >= t.othersCores) flags.push('background-load')
  const attempts = f.requests
  if (attempts > 0 && f.failures / attempts > t.errorRate) flags.push('errors')
  if (attempts < t.minRequests) flags.push('few-samples')
  return flags
}

// flagRepeats flags a cell whose repeats disagree, and one whose throughput keeps falling
// (values in the order they ran)
export function flagRepeats(values: readonly number[], t = THRESHOLDS): FlagCode[] {
  const flags: FlagCode[] = []
  const s = spread(values)
  if (s !== null && s > t.maxSpread) flags.push('noisy')
  const falling = values.length >= 3 && values.every((v, i) => i === 0 || v < values[i - 1]!)
  if (falling && values.at(-1)! < (1 - t.maxSpread) * values[0]!) flags.push('drifting')
  return flags
}

// mergeFlags is the union of the flags of a cell's runs, in a stable order
export function mergeFlags(...lists: readonly (readonly FlagCode[])[]): FlagCode[] {
  const all = new Set(lists.flat())
  return (Object.keys(FLAG_TEXT) as FlagCode[]).filter((c) => all.has(c))
}
