import { describe, expect, it } from 'bun:test'
import { Hono } from 'hono'
import { testApp } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import type { AppEnv } from './env.ts'

// an app whose one route echoes the JSON body it was given
const app = testApp(
  new Hono<AppEnv>().post('/echo', async (c) => c.json({ got: await c.req.json() })),
)

// a body that sends a first chunk, then nothing more (a truncated or stalled upload)
const stalled = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"email":'))
    },
  })

describe('createApp body handling', () => {
  it('hands a complete body to the handler', async () => {
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    })
    expect(await res.json()).toEqual({ got: { a: 1 } })
  })

  it('answers a stalled upload 408 problem+json and closes the connection', async () => {
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: stalled(),
      // @ts-expect-error: Bun needs duplex for a streamed request body
      duplex: 'half',
    })
    await expectProblem(res, 408)
    expect(res.headers.get('Connection')).toBe('close')
  })

  it('answers 413 for a declared or a streamed body over the limit', async () => {
    const declared = await app.request('/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(2 * 1024 * 1024) },
      body: 'x',
    })
    await expectProblem(declared, 413)
    const chunk = new Uint8Array(256 * 1024)
    const streamed = await app.request('/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 5; i++) controller.enqueue(chunk)
          controller.close()
        },
      }),
      // @ts-expect-error: Bun needs duplex for a streamed request body
      duplex: 'half',
    })
    await expectProblem(streamed, 413)
  })

  it('sends a CSP without inline script and a Permissions-Policy on HTML answers only', async () => {
    const pages = testApp(
      new Hono<AppEnv>().get('/page', (c) => c.html('<p>hi</p>')).get('/data', (c) => c.json({})),
    )
    const page = await pages.request('/page')
    expect(page.headers.get('Content-Security-Policy')).toContain("script-src 'self';")
    expect(page.headers.get('Permissions-Policy')).toContain('camera=()')
    const data = await pages.request('/data')
    expect(data.headers.get('Content-Security-Policy')).toBeNull()
  })
})
