import { describe, expect, it } from 'bun:test'
import { sampleResults } from './fixture.ts'
import { productPageCeiling } from './hop-floor.ts'
import { ceilingText, ladderText, verdict } from './report-model.ts'
import type { LimitRatio } from './results.ts'

describe('the ceiling of the microservices', () => {
  it('is the monolith CPU per page over that plus every hop at the bare floor', () => {
    // 50 µs per page, 5 hops of 20 µs: 50 / 150
    expect(productPageCeiling(50, 5, 20)).toBeCloseTo(1 / 3, 9)
    expect(productPageCeiling(null, 5, 20)).toBeNull()
    expect(productPageCeiling(50, 0, 20)).toBeNull()
  })
  it('is stated against the 0.4× target with the share of it reached', () => {
    const r = sampleResults()
    r.scenarios.limits!.hopFloor = { calls: 1, cpuUs: 400, latencyMs: 0.05, concurrency: 16 }
    const [line] = ceilingText(r)
    expect(line).toContain('out of reach')
    r.scenarios.limits!.hopFloor = { calls: 1, cpuUs: 1, latencyMs: 0.05, concurrency: 16 }
    expect(ceilingText(r)[0]).toContain('within reach')
    delete r.scenarios.limits!.hopFloor
    expect(ceilingText(r)).toEqual([])
  })
})

describe('the cost ladder', () => {
  it('gives each layer with what it adds to the one below', () => {
    const [line] = ladderText(
      { pages: 10, rounds: 2, rawUs: 20, honoUs: 24, modulesUs: 26, pageUs: 28, appUs: 40 },
      52,
    )
    expect(line).toContain('20.0 µs')
    expect(line).toContain('40.0 µs (+12.0)')
    expect(line).toContain('52 µs per page')
    expect(ladderText(undefined, 52)).toEqual([])
  })
})

describe('a ratio between two references', () => {
  it('explains a target instead of meeting one', () => {
    const l: LimitRatio = {
      id: 'x',
      label: 'x',
      cell: 'c',
      subject: 'a',
      limit: 'b',
      target: {},
      measured: true,
      throughput: 0.5,
      throughputRange: null,
      p99: 1,
      p99Range: null,
      flags: [],
      repeats: 1,
    }
    expect(verdict(l)).toBe('explains the row above')
    expect(verdict({ ...l, target: { throughput: 0.4 } })).toBe('met')
  })
})
