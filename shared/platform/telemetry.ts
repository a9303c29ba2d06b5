import type { Context, MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { Counter, Gauge, type Metric, Registry } from 'prom-client'
import type { QueueStat } from './bus/transport.ts'
import type { BreakerBoard } from './http/breakers.ts'
import { RollingStats } from './window.ts'

const breakerValue = { closed: 0, 'half-open': 1, open: 2, isolated: 3 } as const

// BUCKETS are the upper bounds (seconds) of the request latency histogram
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

// RouteFigures are one (method, route)'s request counts and latency histogram: bound once,
// then updated in place by each request (no label hashing, no allocation)
interface RouteFigures {
  labels: { service: string; method: string; route: string }
  // requests per bucket (not cumulative), the last one past every bound
  buckets: number[]
  sum: number
  count: number
  statuses: Map<number, number>
}

// latencyMetric exposes the route figures as the Prometheus histogram
// http_request_duration_seconds, built from them when the registry is scraped
function latencyMetric(routes: Map<string, RouteFigures>) {
  const name = 'http_request_duration_seconds'
  const help = 'HTTP request latency by route'
  const head = { name, help, type: 'histogram', aggregator: 'sum' } as const
  const get = async () => ({
    ...head,
    values: [...routes.values()].flatMap((r) => {
      let seen = 0
      return [
        ...BUCKETS.map((le, i) => {
          seen += r.buckets[i]!
          return { metricName: `${name}_bucket`, labels: { ...r.labels, le }, value: seen }
        }),
        { metricName: `${name}_bucket`, labels: { ...r.labels, le: '+Inf' }, value: r.count },
        { metricName: `${name}_sum`, labels: r.labels, value: r.sum },
        { metricName: `${name}_count`, labels: r.labels, value: r.count },
      ]
    }),
  })
  return { ...head, get, reset: () => routes.clear() }
}

// Telemetry is one process's Prometheus registry and the request metrics kept in it
export class Telemetry {
  readonly registry = new Registry()
  private readonly routes = new Map<string, RouteFigures>()

  // the last minute per target, for the dashboard
  readonly window = new RollingStats()

  // keyOf names the target a request belongs to (null: not counted in the window)
  constructor(
    readonly service: string,
    private readonly keyOf: (c: Context) => string | null = () => service,
  ) {
    const routes = this.routes
    new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by route and status',
      labelNames: ['service', 'method', 'route', 'status'],
      registers: [this.registry],
      // restated from the route figures at each scrape
      collect() {
        this.reset()
        for (const r of routes.values()) {
          for (const [status, n] of r.statuses) this.inc({ ...r.labels, status: String(status) }, n)
        }
      },
    })
    this.registry.registerMetric(latencyMetric(routes) as unknown as Metric)
  }

  // measure counts every request and its latency under the matched route pattern
  measure(): MiddlewareHandler {
    const record = this.recorder()
    return async function measureRequest(c, next) {
      const start = performance.now()
      await next()
      record(c, performance.now() - start)
    }
  }

  // recorder counts one served request (its latency in ms) under the matched route pattern;
  // the platform's request middleware calls it, so metrics cost no middleware of their own
  recorder(): (c: Context, ms: number) => void {
    const { routes, service, window, keyOf } = this
    return function recordRequest(c, ms) {
      const route = routePath(c, -1) || 'unmatched'
      const method = c.req.method
      const key = `${method} ${route}`
      let r = routes.get(key)
      if (!r) {
        r = {
          labels: { service, method, route },
          buckets: new Array(BUCKETS.length + 1).fill(0),
          sum: 0,
          count: 0,
          statuses: new Map(),
        }
        routes.set(key, r)
      }
      const seconds = ms / 1000
      let i = 0
      while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++
      r.buckets[i]!++
      r.sum += seconds
      r.count++
      const status = c.res.status
      r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1)
      if (!c.req.path.startsWith('/_/')) {
        const target = keyOf(c)
        if (target) window.record(target, ms, status >= 500)
      }
    }
  }

  // trackBreakers exports each breaker's state (0 closed, 1 half-open, 2 open) as a gauge
  trackBreakers(board: BreakerBoard): void {
    new Gauge({
      name: 'breaker_state',
      help: 'circuit breaker state per link: 0 closed, 1 half-open, 2 open',
      labelNames: ['from', 'to'],
      registers: [this.registry],
      collect() {
        this.reset()
        for (const b of board.list()) this.set({ from: b.from, to: b.to }, breakerValue[b.state])
      },
    })
  }

  // trackQueues exports pending and dead-lettered messages per topic as gauges
  trackQueues(stats: () => QueueStat[]): void {
    new Gauge({
      name: 'queue_pending_messages',
      help: 'messages waiting for a consumer, per topic',
      labelNames: ['topic'],
      registers: [this.registry],
      collect() {
        this.reset()
        for (const q of stats()) this.set({ topic: q.topic }, q.pending)
      },
    })
    new Gauge({
      name: 'queue_dead_lettered_messages',
      help: 'messages given up on, per topic',
      labelNames: ['topic'],
      registers: [this.registry],
      collect() {
        this.reset()
        for (const q of stats()) this.set({ topic: q.topic }, q.deadLettered)
      },
    })
  }

  // text renders the registry in the Prometheus exposition format
  text(): Promise<string> {
    return this.registry.metrics()
  }
}
