import { describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { requestContext } from './trace.ts'

describe('requestContext', () => {
  test('sets the same secure headers as hono secureHeaders({ crossOriginResourcePolicy: false })', async () => {
    const hono = new Hono()
      .use(secureHeaders({ crossOriginResourcePolicy: false }))
      .get('/', (c) => c.text('x'))
    const ours = new Hono().use(requestContext(() => {})).get('/', (c) => c.text('x'))
    const theirs = Object.keys((await hono.request('/')).headers.toJSON()).filter(
      (k) => k !== 'content-type',
    )
    const mine = new Set(Object.keys((await ours.request('/')).headers.toJSON()))
    expect(theirs.length).toBeGreaterThan(5)
    for (const k of theirs) expect({ k, has: mine.has(k) }).toEqual({ k, has: true })
  })

  test('keeps a sane caller request id, replaces a bad one, and records the request', async () => {
    const seen: number[] = []
    const app = new Hono()
      .use(requestContext((c) => seen.push(c.res.status)))
      .get('/', (c) => c.text('x'))
    const kept = await app.request('/', { headers: { 'X-Request-Id': 'abc-123' } })
    expect(kept.headers.get('X-Request-Id')).toBe('abc-123')
    const replaced = await app.request('/', { headers: { 'X-Request-Id': 'bad id!' } })
    expect(replaced.headers.get('X-Request-Id')).not.toBe('bad id!')
    expect(replaced.headers.get('X-Hops')).toBe('0')
    expect(replaced.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(seen).toEqual([200, 200])
  })

  test('leaves the secure headers out when a proxy in front sets them', async () => {
    const app = new Hono()
      .use(requestContext(() => {}, { secureHeaders: false }))
      .get('/', (c) => c.text('x'))
    const res = await app.request('/')
    expect(res.headers.get('X-Content-Type-Options')).toBeNull()
    expect(res.headers.get('X-Hops')).toBe('0')
  })
})
