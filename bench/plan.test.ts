import { describe, expect, it } from 'bun:test'
import { parseOptions, SCENARIOS, scenarioList } from './options.ts'
import { alternate, ENDPOINTS, estimateSeconds, limitRepeats, settings } from './plan.ts'

describe('alternate', () => {
  it('orders runs A B A B within each cell', () => {
    const steps = alternate(['x', 'y'], ['monolith', 'micro'], 2)
    expect(steps.map((s) => `${s.cell}:${s.deployment}:${s.repeat}`)).toEqual([
      'x:monolith:0',
      'x:micro:0',
      'x:monolith:1',
      'x:micro:1',
      'y:monolith:0',
      'y:micro:0',
      'y:monolith:1',
      'y:micro:1',
    ])
  })
})

describe('settings', () => {
  const total = (argv: string[]) =>
    Object.values(estimateSeconds(settings(parseOptions(argv, '/r')))).reduce((a, b) => a + b, 0)

  it('keeps a full run under twenty minutes and a quick one around two', () => {
    expect(total([])).toBeLessThan(20 * 60)
    expect(total([])).toBeGreaterThan(5 * 60)
    // fault-classes and layouts added ~20 s each to the quick run (was under 2.5 min), the bare
    // split and the microservices in scenario 1's product page cell two short runs more
    expect(total(['--quick'])).toBeLessThan(2.9 * 60)
  })
  it('runs the crash checker for the issue’s 60 s, shorter when quick, never longer', () => {
    const crash = (argv: string[]) => settings(parseOptions(argv, '/r')).crash
    expect(crash([])).toMatchObject({ durationS: 60, killEveryS: 3, seed: 1 })
    expect(crash(['--quick']).durationS).toBeLessThan(15)
    expect(crash(['--quick', '--duration', '30']).durationS).toBeLessThan(15)
    expect(crash(['--duration', '10']).durationS).toBe(60)
    expect(crash(['--duration', '2']).durationS).toBe(30)
  })
  it('measures every endpoint and both faults in a full run', () => {
    const s = settings(parseOptions([], '/r'))
    expect(s.endpoints.endpoints).toEqual(ENDPOINTS.map((e) => e.id))
    expect(s.failure.targets).toEqual(['payments', 'reviews'])
    expect(s.scaling.counts).toEqual([1, 2])
    expect(s.footprint.buildBinary).toBe(true)
  })
  it('shortens a quick run without dropping a scenario', () => {
    const s = settings(parseOptions(['--quick'], '/r'))
    expect(s.endpoints.repeats).toBe(1)
    expect(s.failure.targets).toEqual(['payments'])
    expect(s.deployment.targets).toEqual(['storefront'])
    expect(s.footprint.buildBinary).toBe(false)
  })
  it('scales the timed scenarios with --duration', () => {
    const short = settings(parseOptions(['--duration', '2.5'], '/r'))
    const long = settings(parseOptions(['--duration', '10'], '/r'))
    expect(short.failure.faultS).toBeLessThan(long.failure.faultS)
    expect(short.endpoints.durationS).toBe(2.5)
  })
})

describe('parseOptions', () => {
  it('has defaults for a full run', () => {
    const o = parseOptions([], '/repo')
    expect(o).toMatchObject({ quick: false, durationS: 4, repeats: 3, connections: 50 })
    // wrk when it is installed, autocannon otherwise (and for runs under a second)
    expect(o.tool).toBe(Bun.which('wrk') ? 'wrk' : 'autocannon')
    expect(parseOptions(['--duration', '0.5'], '/repo').tool).toBe('autocannon')
    expect(o.scenarios).toEqual([...SCENARIOS])
    expect(o.outDir).toBe('/repo/bench/results')
  })
  it('reads both --name value and --name=value', () => {
    const o = parseOptions(
      ['--quick', '--duration=0.5', '--connections', '8', '--scenario', '3,limits'],
      '/r',
    )
    expect(o).toMatchObject({ quick: true, durationS: 0.5, connections: 8 })
    expect(o.scenarios).toEqual(['limits', 'failure'])
  })
  it('refuses what it does not know', () => {
    expect(() => parseOptions(['--fast'], '/r')).toThrow('unknown option')
    expect(() => parseOptions(['--tool', 'ab'], '/r')).toThrow('unknown tool')
    expect(() => parseOptions(['--duration', '-1'], '/r')).toThrow('positive')
    expect(() => scenarioList('99')).toThrow('unknown scenario')
  })
  it('takes scenario names, prefixes and numbers in canonical order', () => {
    expect(scenarioList('foot,2,scal')).toEqual(['endpoints', 'scaling', 'footprint'])
    expect(scenarioList('crash')).toEqual(['crash-safety'])
    expect(scenarioList('7')).toEqual(['crash-safety'])
    expect(scenarioList('8')).toEqual(['fault-classes'])
    // 'fa' stays the failure scenario; 'fault' is the fault classes
    expect(scenarioList('fa')).toEqual(['failure'])
    expect(scenarioList('fault')).toEqual(['fault-classes'])
  })
  it('accepts --scenario fault-classes, alone or with others', () => {
    expect(parseOptions(['--scenario', 'fault-classes'], '/r').scenarios).toEqual(['fault-classes'])
    expect(parseOptions(['--quick', '--scenario=failure,fault-classes'], '/r').scenarios).toEqual([
      'failure',
      'fault-classes',
    ])
  })
})

describe('limitRepeats', () => {
  it('runs the machine’s own cells and the aggregator’s at most twice, the others every repeat', () => {
    expect(limitRepeats('static JSON', 3)).toBe(2)
    expect(limitRepeats('GET /_/health', 3)).toBe(2)
    expect(limitRepeats('aggregator over our leaves', 3)).toBe(2)
    expect(limitRepeats('product page', 3)).toBe(3)
    expect(limitRepeats('reviews through a proxy', 5)).toBe(5)
    expect(limitRepeats('static JSON', 1)).toBe(1)
    // a cell the list does not know is no machine cell
    expect(limitRepeats('some new cell', 3)).toBe(3)
  })
})
