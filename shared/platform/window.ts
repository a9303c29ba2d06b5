// RollingStats keeps the last minute of requests per target (a service, or a monolith module)
// in one-second buckets, for the dashboard's requests/s, error rate and p50/p99

interface Bucket {
  second: number
  count: number
  errors: number
  latencies: number[]
}

// WindowStats is one target's figures over the window
export interface WindowStats {
  target: string
  count: number
  rps: number
  errorRate: number
  p50: number | null
  p99: number | null
  // requests and failures per second, oldest first (for sparklines)
  series: { count: number; errors: number }[]
}

// mergeStats adds up the windows of one target's processes (percentiles: the worst one's); of
// none, the figures of a target without traffic
export function mergeStats(target: string, all: WindowStats[]): WindowStats {
  const count = all.reduce((n, w) => n + w.count, 0)
  const worst = (k: 'p50' | 'p99') =>
    all.reduce<number | null>((m, w) => (w[k] === null ? m : Math.max(m ?? 0, w[k]!)), null)
  const length = Math.max(0, ...all.map((w) => w.series.length))
  return {
    target,
    count,
    rps: all.reduce((n, w) => n + w.rps, 0),
    errorRate: count ? all.reduce((n, w) => n + w.errorRate * w.count, 0) / count : 0,
    p50: worst('p50'),
    p99: worst('p99'),
    series: Array.from({ length }, (_, i) => ({
      count: all.reduce((n, w) => n + (w.series[i]?.count ?? 0), 0),
      errors: all.reduce((n, w) => n + (w.series[i]?.errors ?? 0), 0),
    })),
  }
}

const SECONDS = 60
// per bucket we keep at most this many latencies (a uniform sample beyond it), which bounds
// memory and the cost of a snapshot whatever the load
const SAMPLE = 1000

export class RollingStats {
  private readonly buckets = new Map<string, Bucket[]>()

  // record counts one finished request of target
  record(target: string, ms: number, failed: boolean, now = Date.now()): void {
    const second = Math.floor(now / 1000)
    let ring = this.buckets.get(target)
    if (!ring) {
      ring = []
      this.buckets.set(target, ring)
    }
    const slot = second % SECONDS
    let b = ring[slot]
    if (!b || b.second !== second) {
      b = { second, count: 0, errors: 0, latencies: [] }
      ring[slot] = b
    }
    b.count++
    if (failed) b.errors++
    if (b.latencies.length < SAMPLE) b.latencies.push(ms)
    else {
      const i = Math.floor(Math.random() * b.count)
      if (i < SAMPLE) b.latencies[i] = ms
    }
  }

  // snapshot sums the last minute (the current, partial second left out of the rate)
  snapshot(now = Date.now(), windowSeconds = SECONDS): WindowStats[] {
    const current = Math.floor(now / 1000)
    const out: WindowStats[] = []
    for (const [target, ring] of this.buckets) {
      let count = 0
      let errors = 0
      let rateCount = 0
      const latencies: number[] = []
      for (const b of ring) {
        if (!b || b.second <= current - windowSeconds) continue
        count += b.count
        errors += b.errors
        if (b.second < current) rateCount += b.count
        latencies.push(...b.latencies)
      }
      const series = Array.from({ length: windowSeconds - 1 }, (_, i) => {
        const second = current - windowSeconds + 1 + i
        const b = ring[second % SECONDS]
        return b && b.second === second
          ? { count: b.count, errors: b.errors }
          : { count: 0, errors: 0 }
      })
      latencies.sort((a, b) => a - b)
      const pct = (p: number) =>
        latencies.length
          ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
          : null
      out.push({
        target,
        count,
        rps: rateCount / (windowSeconds - 1),
        errorRate: count ? errors / count : 0,
        p50: pct(0.5),
        p99: pct(0.99),
        series,
      })
    }
    return out.sort((a, b) => a.target.localeCompare(b.target))
  }
}
