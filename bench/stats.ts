// Statistics of the bench: medians of repeats, percentiles, ratios, and the availability figures
// computed from per-request records of a paced (fixed-rate) load.

// median is the middle of a list (mean of the two middles for an even count), null when empty
export function median(xs: readonly number[]): number | null {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return null
  const mid = Math.floor(v.length / 2)
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
}

// mean is the arithmetic mean, null when empty
export function mean(xs: readonly number[]): number | null {
  const v = xs.filter((x) => Number.isFinite(x))
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null
}

// quantile is the q-quantile (0..1) of a list, interpolated between ranks, null when empty
export function quantile(xs: readonly number[], q: number): number | null {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return null
  const pos = Math.min(1, Math.max(0, q)) * (v.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo)
}

// spread is the coefficient of variation (stddev / mean) of repeats: 0.1 means ±10 %
export function spread(xs: readonly number[]): number | null {
  const m = mean(xs)
  if (m === null || xs.length < 2 || m === 0) return null
  const variance = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)
  return Math.sqrt(variance) / Math.abs(m)
}

// ratio is a / b, null when either is missing or b is 0
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null
  return a / b
}

// PacedRecord is one request of a paced load: [start offset ms, latency ms, status (0 = no
// answer: refused, reset or timed out)]
export type PacedRecord = [number, number, number]

// isSuccess says whether a status counts as served (2xx and 3xx)
export const isSuccess = (status: number) => status >= 200 && status < 400

// Timeline is per-bucket counts of one endpoint: attempts and successes
export interface Timeline {
  bucketMs: number
  total: number[]
  ok: number[]
}

// timeline buckets records by their start offset over [0, spanMs)
export function timeline(records: readonly PacedRecord[], bucketMs: number, spanMs: number) {
  const n = Math.max(1, Math.ceil(spanMs / bucketMs))
  const t: Timeline = { bucketMs, total: Array(n).fill(0), ok: Array(n).fill(0) }
  for (const [start, , status] of records) {
    const i = Math.floor(start / bucketMs)
    if (i < 0 || i >= n) continue
    t.total[i]!++
    if (isSuccess(status)) t.ok[i]!++
  }
  return t
}

// successRates turns a timeline into per-bucket success rates (null where nothing was sent)
export const successRates = (t: Timeline): (number | null)[] =>
  t.total.map((total, i) => (total ? t.ok[i]! / total : null))

// Window is a span of start offsets, [from, to)
export interface Window {
  from: number
  to: number
}

const within = (w: Window) => (r: PacedRecord) => r[0] >= w.from && r[0] < w.to

// availability is the share of requests started in a window that were served, null if none
export function availability(records: readonly PacedRecord[], w: Window): number | null {
  const inside = records.filter(within(w))
  if (inside.length === 0) return null
  return inside.filter((r) => isSuccess(r[2])).length / inside.length
}

// failedRequests counts the requests started in a window that were not served
export const failedRequests = (records: readonly PacedRecord[], w: Window) =>
  records.filter(within(w)).filter((r) => !isSuccess(r[2])).length

// unavailableSeconds is the time, at bucket resolution, during which fewer than `threshold` of
// the requests started were served (buckets where nothing was sent do not count)
export function unavailableSeconds(t: Timeline, threshold = 0.5): number {
  let buckets = 0
  for (let i = 0; i < t.total.length; i++) {
    if (t.total[i]! > 0 && t.ok[i]! / t.total[i]! < threshold) buckets++
  }
  return (buckets * t.bucketMs) / 1000
}

// recoveryMs is how long after `from` the endpoint was serving again: the start of the first
// request from which every later request in the records succeeded (null if it never settled,
// 0 if nothing failed after `from`)
export function recoveryMs(records: readonly PacedRecord[], from: number): number | null {
  const after = records.filter((r) => r[0] >= from).sort((a, b) => a[0] - b[0])
  if (after.length === 0) return null
  let lastFailure = -1
  for (let i = 0; i < after.length; i++) if (!isSuccess(after[i]![2])) lastFailure = i
  if (lastFailure === -1) return 0
  const settled = after[lastFailure + 1]
  return settled ? Math.max(0, settled[0] - from) : null
}

// latencyQuantiles summarises record latencies of served requests (ms)
export function latencyQuantiles(records: readonly PacedRecord[]) {
  const served = records.filter((r) => isSuccess(r[2])).map((r) => r[1])
  return {
    p50: quantile(served, 0.5),
    p90: quantile(served, 0.9),
    p99: quantile(served, 0.99),
  }
}

// LatencyHistogram records latencies with 1 % relative precision (log buckets from 1 µs), so a
// long run's percentiles cost a few kilobytes instead of one number per request
export class LatencyHistogram {
  private static readonly GROWTH = Math.log(1.01)
  private readonly counts = new Map<number, number>()
  count = 0
  sum = 0
  min = Number.POSITIVE_INFINITY
  max = 0

  // record adds one latency in milliseconds
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return
    const us = Math.max(1, ms * 1000)
    const i = Math.floor(Math.log(us) / LatencyHistogram.GROWTH)
    this.counts.set(i, (this.counts.get(i) ?? 0) + 1)
    this.count++
    this.sum += ms
    if (ms < this.min) this.min = ms
    if (ms > this.max) this.max = ms
  }

  // quantile is the latency (ms) at or below which a share q of the records lie, null if empty
  quantile(q: number): number | null {
    if (this.count === 0) return null
    const rank = Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * this.count))
    let seen = 0
    for (const i of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(i)!
      if (seen >= rank) {
        // the middle of the bucket, clamped to what was actually seen
        const mid = Math.exp((i + 0.5) * LatencyHistogram.GROWTH) / 1000
        return Math.min(this.max, Math.max(this.min, mid))
      }
    }
    return this.max
  }

  // mean is the average latency (ms), null if empty
  mean = (): number | null => (this.count ? this.sum / this.count : null)
}
