import { describe, expect, it } from 'bun:test'
import { Hono } from 'hono'
import { Telemetry } from './telemetry.ts'

describe('Telemetry', () => {
  it('counts requests per route and status and fills the latency histogram', async () => {
    const t = new Telemetry('svc')
    const app = new Hono()
      .use(t.measure())
      .get('/items/:id', (c) => c.text('ok'))
      .get('/gone', (c) => c.text('gone', 410))
    for (let i = 0; i < 3; i++) await app.request(`/items/${i}`)
    await app.request('/gone')
    const text = await t.text()
    expect(text).toContain(
      'http_requests_total{service="svc",method="GET",route="/items/:id",status="200"} 3',
    )
    expect(text).toContain(
      'http_requests_total{service="svc",method="GET",route="/gone",status="410"} 1',
    )
    expect(text).toContain(
      'http_request_duration_seconds_bucket{service="svc",method="GET",route="/items/:id",le="+Inf"} 3',
    )
    expect(text).toContain(
      'http_request_duration_seconds_count{service="svc",method="GET",route="/items/:id"} 3',
    )
    // buckets are cumulative: the last bound holds every request that took under 5 s
    expect(text).toContain(
      'http_request_duration_seconds_bucket{service="svc",method="GET",route="/gone",le="5"} 1',
    )
  })
})
