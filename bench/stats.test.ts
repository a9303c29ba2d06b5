import { describe, expect, it } from 'bun:test'
import {
  availability,
  failedRequests,
  LatencyHistogram,
  mean,
  median,
  type PacedRecord,
  quantile,
  ratio,
  recoveryMs,
  spread,
  successRates,
  timeline,
  unavailableSeconds,
} from './stats.ts'

describe('median', () => {
  it('takes the middle of an odd list and the mean of the middles of an even one', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
  it('is null for nothing and ignores what is not a number', () => {
    expect(median([])).toBeNull()
    expect(median([Number.NaN, 5])).toBe(5)
  })
})

describe('quantile', () => {
  it('interpolates between ranks', () => {
    expect(quantile([0, 10], 0.5)).toBe(5)
    expect(quantile([1, 2, 3, 4, 5], 0)).toBe(1)
    expect(quantile([1, 2, 3, 4, 5], 1)).toBe(5)
    expect(quantile([], 0.9)).toBeNull()
  })
})

describe('spread and ratio', () => {
  it('measures how far repeats disagree', () => {
    expect(spread([10, 10, 10])).toBe(0)
    expect(spread([9, 11])).toBeCloseTo(0.1414, 3)
    expect(spread([5])).toBeNull()
  })
  it('divides, and refuses to divide by nothing', () => {
    expect(ratio(1, 4)).toBe(0.25)
    expect(ratio(1, 0)).toBeNull()
    expect(ratio(null, 4)).toBeNull()
    expect(ratio(undefined, 4)).toBeNull()
    expect(mean([1, 2, 3])).toBe(2)
  })
})

// one request every 100 ms for 2 s; requests started in [500, 1000) fail
const records: PacedRecord[] = Array.from({ length: 20 }, (_, i) => {
  const t = i * 100
  return [t, 5, t >= 500 && t < 1000 ? 0 : 200]
})

describe('availability figures of a paced run', () => {
  it('buckets requests by start time', () => {
    const t = timeline(records, 500, 2000)
    expect(t.total).toEqual([5, 5, 5, 5])
    expect(t.ok).toEqual([5, 0, 5, 5])
    expect(successRates(t)).toEqual([1, 0, 1, 1])
  })
  it('gives null rates where nothing was sent', () => {
    expect(successRates(timeline([], 500, 1000))).toEqual([null, null])
  })
  it('counts availability and failures in a window', () => {
    expect(availability(records, { from: 0, to: 500 })).toBe(1)
    expect(availability(records, { from: 500, to: 1000 })).toBe(0)
    expect(availability(records, { from: 0, to: 1000 })).toBe(0.5)
    expect(availability(records, { from: 5000, to: 6000 })).toBeNull()
    expect(failedRequests(records, { from: 0, to: 2000 })).toBe(5)
  })
  it('counts unavailable time at bucket resolution', () => {
    expect(unavailableSeconds(timeline(records, 500, 2000))).toBe(0.5)
    expect(unavailableSeconds(timeline(records, 250, 2000))).toBe(0.5)
  })
  it('measures recovery from the restart to the first request after the last failure', () => {
    expect(recoveryMs(records, 600)).toBe(400)
    expect(recoveryMs(records, 1200)).toBe(0)
    expect(recoveryMs([[0, 1, 0]], 0)).toBeNull()
    expect(recoveryMs(records, 5000)).toBeNull()
  })
})

describe('LatencyHistogram', () => {
  it('keeps percentiles within 1 % and knows min, max and mean', () => {
    const h = new LatencyHistogram()
    for (let i = 1; i <= 10_000; i++) h.record(i / 100)
    expect(h.count).toBe(10_000)
    expect(h.min).toBe(0.01)
    expect(h.max).toBe(100)
    expect(h.mean()).toBeCloseTo(50.005, 2)
    for (const [q, want] of [
      [0.5, 50],
      [0.9, 90],
      [0.99, 99],
    ] as const) {
      const got = h.quantile(q)!
      expect(Math.abs(got - want) / want).toBeLessThan(0.011)
    }
  })
  it('resolves sub-millisecond latencies and is null when empty', () => {
    const h = new LatencyHistogram()
    expect(h.quantile(0.5)).toBeNull()
    h.record(0.25)
    expect(h.quantile(0.5)).toBe(0.25)
  })
})
