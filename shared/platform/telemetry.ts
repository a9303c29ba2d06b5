import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { Counter, Histogram, Registry } from 'prom-client'

// Telemetry is one process's Prometheus registry and the request metrics kept in it
export class Telemetry {
  readonly registry = new Registry()
  readonly requests: Counter<'service' | 'method' | 'route' | 'status'>
  readonly latency: Histogram<'service' | 'method' | 'route'>

  constructor(readonly service: string) {
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

  // measure counts every request and its latency under the matched route pattern
  measure(): MiddlewareHandler {
    const { requests, latency, service } = this
    return async function measureRequest(c, next) {
      const start = performance.now()
      await next()
      const route = routePath(c, -1) || 'unmatched'
      const labels = { service, method: c.req.method, route }
      latency.observe(labels, (performance.now() - start) / 1000)
      requests.inc({ ...labels, status: String(c.res.status) })
    }
  }

  // text renders the registry in the Prometheus exposition format
  text(): Promise<string> {
    return this.registry.metrics()
  }
}
