import type { Context, MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { QueueStat } from './bus/transport.ts'
import type { BreakerBoard } from './http/breakers.ts'
import { RollingStats } from './window.ts'

const breakerValue = { closed: 0, 'half-open': 1, open: 2, isolated: 3 } as const

// Telemetry is one process's Prometheus registry and the request metrics kept in it
export class Telemetry {
  readonly registry = new Registry()
  readonly requests: Counter<'service' | 'method' | 'route' | 'status'>
  readonly latency: Histogram<'service' | 'method' | 'route'>

  // the last minute per target, for the dashboard
  readonly window = new RollingStats()

  // keyOf names the target a request belongs to (null: not counted in the window)
  constructor(
    readonly service: string,
    private readonly keyOf: (c: Context) => string | null = () => service,
  ) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by route and status',
      labelNames: ['service', 'method', 'route', 'status'],
      registers: [this.registry],
    })
    this.latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['service', 'method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    })
  }

  // measure counts every request and its latency under the matched route pattern; the metric
  // children of each (method, route, status) are bound once, so a request hashes no labels
  measure(): MiddlewareHandler {
    const { requests, latency, service, window, keyOf } = this
    type Bound = { latency: { observe(s: number): void }; statuses: Map<number, { inc(): void }> }
    const bound = new Map<string, Bound>()
    return async function measureRequest(c, next) {
      const start = performance.now()
      await next()
      const ms = performance.now() - start
      const route = routePath(c, -1) || 'unmatched'
      const method = c.req.method
      const key = `${method} ${route}`
      let b = bound.get(key)
      if (!b) {
        b = { latency: latency.labels({ service, method, route }), statuses: new Map() }
        bound.set(key, b)
      }
      b.latency.observe(ms / 1000)
      const status = c.res.status
      let counter = b.statuses.get(status)
      if (!counter) {
        counter = requests.labels({ service, method, route, status: String(status) })
        b.statuses.set(status, counter)
      }
      counter.inc()
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
