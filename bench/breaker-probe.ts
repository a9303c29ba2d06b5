import { ADMIN, call, control, login, status } from './api.ts'
import { quantile } from './stats.ts'

// OpenBreaker is what meeting an open breaker costs a request end to end, one request at a
// time with nothing else in flight: the breaker's own price, without the queueing of a loaded
// machine (scenario 3 measures the same calls under the paced load)
export interface OpenBreaker {
  target: string
  // when every breaker towards the target was seen open after it stopped (ms), null: never
  openAfterMs: number | null
  probes: BreakerProbe[]
}

// BreakerProbe is one endpoint's answers while the breakers towards the target stood open
export interface BreakerProbe {
  endpoint: string
  samples: number
  statuses: Record<string, number>
  // answers that were what an open breaker should give: the page degraded, the list 503
  expected: number
  p50Ms: number | null
  p99Ms: number | null
}

// the two public calls that need reviews: one through the aggregator (which leaves the part
// out, degraded) and one the gateway forwards to reviews itself (refused, 503)
const ENDPOINTS = [
  {
    endpoint: 'product page (storefront → reviews)',
    path: (id: string) => `/api/products/${id}`,
    expected: (status: number, body: unknown) =>
      status === 200 && ((body as { degraded?: string[] }).degraded ?? []).includes('reviews'),
  },
  {
    endpoint: 'reviews of a product (gateway → reviews)',
    path: (id: string) => `/api/products/${id}/reviews`,
    expected: (status: number) => status === 503,
  },
]

const productId = (i: number) => `p-${String(1 + ((i * 97) % 1000)).padStart(4, '0')}`

// timed sends one GET and reads the whole answer (status 0: no answer at all)
async function timed(base: string, path: string) {
  const t0 = performance.now()
  const r = await call(base, 'GET', path).catch(() => ({ status: 0, body: null }))
  return { ms: performance.now() - t0, status: r.status, body: r.body as unknown }
}

// openBreakerProbe stops the target service of a microservices deployment (the supervisor
// leaves a stopped service down), sends the calls that need it until every breaker towards it
// is open (at most capMs), then times `samples` calls of each endpoint one at a time, and
// starts the target again
export async function openBreakerProbe(
  base: string,
  samples: number,
  target = 'reviews',
  capMs = 20_000,
): Promise<OpenBreaker> {
  const admin = (await login(base, ADMIN)).token
  await control(base, admin, 'stop', target)
  try {
    const stopped = Date.now()
    let openAfterMs: number | null = null
    for (let i = 0; Date.now() - stopped < capMs; i++) {
      for (const e of ENDPOINTS) await timed(base, e.path(productId(i)))
      const towards = (await status(base))?.breakers.filter((b) => b.to === target) ?? []
      if (towards.length && towards.every((b) => b.state === 'open')) {
        openAfterMs = Date.now() - stopped
        break
      }
    }
    const probes: BreakerProbe[] = []
    for (const e of ENDPOINTS) {
      const latencies: number[] = []
      const statuses: Record<string, number> = {}
      let expected = 0
      for (let i = 0; i < samples; i++) {
        const r = await timed(base, e.path(productId(i)))
        latencies.push(r.ms)
        statuses[r.status] = (statuses[r.status] ?? 0) + 1
        if (e.expected(r.status, r.body)) expected++
      }
      probes.push({
        endpoint: e.endpoint,
        samples,
        statuses,
        expected,
        p50Ms: quantile(latencies, 0.5),
        p99Ms: quantile(latencies, 0.99),
      })
    }
    return { target, openAfterMs, probes }
  } finally {
    await control(base, admin, 'start', target).catch(() => {})
  }
}
