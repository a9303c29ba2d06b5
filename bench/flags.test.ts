import { describe, expect, it } from 'bun:test'
import { flagRepeats, flagRun, mergeFlags, type RunFigures } from './flags.ts'
import { parseOptions, scenarioList } from './options.ts'
import { estimateSeconds, settings } from './plan.ts'

const quiet: RunFigures = {
  requests: 10_000,
  failures: 0,
  generatorCores: 0.3,
  serverCores: 1,
  generatorThreads: 1,
  machineCores: 2,
  machineBusyCores: 1.3,
  othersCores: 0,
}

describe('flagRun', () => {
  it('leaves a clean run alone', () => {
    expect(flagRun(quiet)).toEqual([])
  })
  it('flags a generator that used its whole core (autocannon) or its threads (wrk)', () => {
    expect(flagRun({ ...quiet, generatorCores: 0.9 })).toEqual(['generator-bound'])
    expect(flagRun({ ...quiet, generatorCores: 0.9, generatorThreads: 2 })).toEqual([])
    expect(flagRun({ ...quiet, generatorCores: 1.8, generatorThreads: 2 })).toContain(
      'generator-bound',
    )
  })
  it('flags a machine with no idle CPU and a noisy neighbour', () => {
    expect(flagRun({ ...quiet, machineBusyCores: 1.9 })).toEqual(['cpu-saturated'])
    expect(flagRun({ ...quiet, othersCores: 0.5 })).toEqual(['background-load'])
  })
  it('flags failures over 1 % and runs too small for percentiles', () => {
    expect(flagRun({ ...quiet, failures: 101 })).toEqual(['errors'])
    expect(flagRun({ ...quiet, failures: 100 })).toEqual([])
    expect(flagRun({ ...quiet, requests: 50 })).toEqual(['few-samples'])
  })
  it('does not flag what it could not measure', () => {
    expect(
      flagRun({ ...quiet, generatorCores: null, machineBusyCores: null, othersCores: null }),
    ).toEqual([])
  })
})

describe('flagRepeats and mergeFlags', () => {
  it('flags repeats more than 15 % apart', () => {
    expect(flagRepeats([100, 101, 99])).toEqual([])
    expect(flagRepeats([100, 150, 60])).toEqual(['noisy'])
    expect(flagRepeats([100])).toEqual([])
  })
  it('flags throughput that keeps falling from repeat to repeat', () => {
    expect(flagRepeats([200, 120, 100])).toEqual(['noisy', 'drifting'])
    expect(flagRepeats([100, 95, 90])).toEqual([])
    expect(flagRepeats([100, 60, 70])).toEqual(['noisy'])
  })
  it('merges without duplicates in a stable order', () => {
    expect(mergeFlags(['errors', 'generator-bound'], ['generator-bound'], ['noisy'])).toEqual([
      'generator-bound',
      'errors',
      'noisy',
    ])
  })
})

describe('--scenario layouts', () => {
  it('selects scenario 9 by name, prefix or number, and runs it in a full run', () => {
    expect(parseOptions(['--scenario', 'layouts'], '/r').scenarios).toEqual(['layouts'])
    expect(scenarioList('lay,1')).toEqual(['limits', 'layouts'])
    expect(scenarioList('9')).toEqual(['layouts'])
    expect(parseOptions([], '/r').scenarios).toContain('layouts')
  })
  it('measures every layout and the technology row in a full run, two layouts when quick', () => {
    const full = settings(parseOptions([], '/r')).layouts
    expect(full.layouts.map((l) => l.id)).toEqual([
      'monolith-deployment',
      'monolith',
      'by-domain',
      'micro',
      'custom',
    ])
    expect(full.layouts.find((l) => l.id === 'custom')!.layout).toContain('node:')
    expect(full.technology).toBe(true)
    const quick = settings(parseOptions(['--quick'], '/r')).layouts
    expect(quick.layouts.map((l) => l.id)).toEqual(['monolith-deployment', 'micro'])
    expect(quick.technology).toBe(false)
  })
  it('adds about three minutes to a full run and about twenty seconds to a quick one', () => {
    const seconds = (argv: string[]) => estimateSeconds(settings(parseOptions(argv, '/r'))).layouts
    expect(seconds([])).toBeLessThanOrEqual(200)
    expect(seconds(['--quick'])).toBeLessThanOrEqual(40)
  })
})
