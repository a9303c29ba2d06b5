import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Hono } from 'hono'
import { DomainError, refused } from '../../domain/errors.ts'
import { testApp } from '../../testing/harness.ts'
import { BreakerBoard } from './breakers.ts'
import type { AppEnv } from './env.ts'
import { resilientFetch, unwrap } from './remote.ts'

// a callee whose behaviour the tests switch: ok, failing (500), slow, or refusing (422)
let mode: 'ok' | 'fail' | 'slow' | 'refuse' = 'ok'
let hits = 0
const callee = testApp(
  new Hono<AppEnv>().all('/thing', async (c) => {
    hits++
    if (mode === 'fail') return c.json({ detail: 'broken' }, 500)
    if (mode === 'slow') await Bun.sleep(300)
    if (mode === 'refuse') throw refused('no way', { trail: [{ step: 'validation' }] })
    return c.json({
      ok: true,
      token: c.req.header('X-Service-Token') ?? null,
      deadline: c.req.header('X-Deadline-Ms') ?? null,
      custom: c.req.header('X-Custom') ?? null,
    })
  }),
)
let server: ReturnType<typeof Bun.serve>
let base = ''
beforeAll(() => {
  server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: callee.fetch })
  base = `http://127.0.0.1:${server.port}`
})
afterAll(() => server.stop(true))

const link = (board = new BreakerBoard()) =>
  resilientFetch({
    from: 'a',
    to: 'b',
    board,
    serviceToken: 'secret',
    timeoutMs: 100,
    breakerFailures: 3,
    halfOpenAfterMs: 200,
  })

describe('resilientFetch', () => {
  it('passes answers through and adds the service token', async () => {
    mode = 'ok'
    expect(await unwrap(await link()(`${base}/thing`))).toMatchObject({ ok: true, token: 'secret' })
  })

  it("keeps the caller's headers in any form and case, each once, the link's own replacing theirs", async () => {
    mode = 'ok'
    const forged = { 'X-Custom': 'kept', 'x-service-token': 'forged', 'X-DEADLINE-MS': '99999' }
    for (const headers of [forged, Object.entries(forged), new Headers(forged)]) {
      const got = await unwrap<{ token: string; deadline: string; custom: string }>(
        await link()(`${base}/thing`, { headers }),
      )
      expect(got.token).toBe('secret')
      expect(got.custom).toBe('kept')
      // the link's own budget (timeoutMs 100), not the caller's forged one
      expect(Number(got.deadline)).toBeLessThanOrEqual(100)
    }
  })

  it('rebuilds the callee DomainError, extra members included', async () => {
    mode = 'refuse'
    const error = await unwrap(await link()(`${base}/thing`, { method: 'POST' })).catch((e) => e)
    expect(error).toBeInstanceOf(DomainError)
    expect(error).toMatchObject({
      kind: 'rule',
      message: 'no way',
      extra: { trail: [{ step: 'validation' }] },
    })
  })

  it('turns a timeout into unavailable', async () => {
    mode = 'slow'
    const error = await link()(`${base}/thing`, { method: 'POST' }).catch((e) => e)
    expect(error).toMatchObject({ kind: 'unavailable' })
    expect(error.message).toContain('did not answer')
  })

  it('retries idempotent calls only', async () => {
    mode = 'fail'
    hits = 0
    const fetcher = link()
    expect((await fetcher(`${base}/thing`)).status).toBe(500)
    expect(hits).toBe(2)
    hits = 0
    expect((await fetcher(`${base}/thing`, { method: 'POST' })).status).toBe(500)
    expect(hits).toBe(1)
  })

  it('does not retry a call that timed out, idempotent or not', async () => {
    mode = 'slow'
    hits = 0
    const error = await link()(`${base}/thing`).catch((e) => e)
    expect(error).toMatchObject({ kind: 'unavailable' })
    expect(error.message).toContain('did not answer')
    expect(hits).toBe(1)
    mode = 'ok'
  })

  it('opens after consecutive failures, fails fast while open, and closes after a success', async () => {
    mode = 'fail'
    const board = new BreakerBoard()
    const transitions: string[] = []
    board.onTransition((v) => transitions.push(v.state))
    const fetcher = link(board)
    expect(fetcher.refusing()).toBe(false)
    for (let i = 0; i < 3; i++) await fetcher(`${base}/thing`, { method: 'POST' })
    expect(board.list()[0]).toMatchObject({ from: 'a', to: 'b', state: 'open' })
    // while open, the link says it would refuse (callers may skip work they cannot finish)
    expect(fetcher.refusing()).toBe(true)
    hits = 0
    const error = await fetcher(`${base}/thing`, { method: 'POST' }).catch((e) => e)
    expect(error).toMatchObject({ kind: 'unavailable' })
    expect(error.message).toContain('circuit open')
    // an idempotent call meeting the open breaker is not retried into it either
    const get = await fetcher(`${base}/thing`).catch((e) => e)
    expect(get.message).toContain('circuit open')
    expect(hits).toBe(0)
    mode = 'ok'
    await Bun.sleep(250)
    // due for its half-open trial: the first to ask is granted it; the others are told the
    // link refuses until the trial decides
    expect(fetcher.refusing()).toBe(false)
    expect(fetcher.refusing()).toBe(true)
    expect((await fetcher(`${base}/thing`)).status).toBe(200)
    expect(fetcher.refusing()).toBe(false)
    expect(board.list()[0]?.state).toBe('closed')
    expect(transitions).toEqual(['open', 'half-open', 'closed'])
  })

  it('reports an unreachable callee as unavailable', async () => {
    const error = await link()('http://127.0.0.1:1/thing', { method: 'POST' }).catch((e) => e)
    expect(error).toMatchObject({ kind: 'unavailable' })
  })
})

describe('resilientFetch deadlines', () => {
  // outer is a service whose route calls the callee through one link, inside a request that
  // may carry the caller's X-Deadline-Ms
  const outer = (fetcher: ReturnType<typeof resilientFetch>) =>
    testApp(
      new Hono<AppEnv>().post('/outer', async (c) => {
        const res = await fetcher(`${base}/thing`, { method: 'POST' })
        return c.json(await unwrap(res))
      }),
    )
  const slowLink = (board: BreakerBoard) =>
    resilientFetch({ from: 'a', to: 'b', board, timeoutMs: 5000, breakerFailures: 2 })

  it('sends the callee the smaller of its own timeout and what is left of the caller’s budget', async () => {
    mode = 'ok'
    const app = outer(slowLink(new BreakerBoard()))
    const within = await (
      await app.request('/outer', { method: 'POST', headers: { 'X-Deadline-Ms': '3000' } })
    ).json()
    expect(Number(within.deadline)).toBeGreaterThan(0)
    expect(Number(within.deadline)).toBeLessThanOrEqual(3000)
    // no budget from the caller: the link's own timeout
    const own = await (await app.request('/outer', { method: 'POST' })).json()
    expect(own.deadline).toBe('5000')
  })

  it('gives up when the caller’s budget runs out, without counting it against the callee', async () => {
    mode = 'slow'
    const board = new BreakerBoard()
    const app = outer(slowLink(board))
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/outer', {
        method: 'POST',
        headers: { 'X-Deadline-Ms': '50' },
      })
      expect(res.status).toBe(503)
      expect((await res.json()).detail).toContain('deadline')
    }
    expect(board.list()[0]?.state).toBe('closed')
    const spent = await app.request('/outer', { method: 'POST', headers: { 'X-Deadline-Ms': '0' } })
    expect(spent.status).toBe(503)
    mode = 'ok'
    expect((await app.request('/outer', { method: 'POST' })).status).toBe(200)
  })

  it('passes on a callee’s own 5xx as that callee’s outage, so the caller’s callers do not count it', async () => {
    mode = 'fail'
    const app = outer(slowLink(new BreakerBoard()))
    const res = await app.request('/outer', { method: 'POST' })
    expect(res.status).toBeGreaterThanOrEqual(500)
    expect(res.headers.get('X-Unavailable-Dependency')).toBe('b')
    // a gateway's link to the caller: the caller is up, its dependency b is not
    const board = new BreakerBoard()
    const gateway = resilientFetch({
      from: 'gateway',
      to: 'a',
      board,
      breakerFailures: 2,
      fetch: async (input, init) => app.request(String(input), init),
    })
    for (let i = 0; i < 4; i++) {
      const answer = await gateway('http://a/outer', { method: 'POST' })
      expect(answer.status).toBeGreaterThanOrEqual(500)
    }
    expect(board.list()[0]).toMatchObject({ to: 'a', state: 'closed' })
    mode = 'ok'
  })
})

describe('resilientFetch compartments', () => {
  it('holds a slow compartment’s calls in its own bulkhead: the link’s other calls go on', async () => {
    // a fake network: /slow waits until released, everything else answers at once
    let release = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const fake = async (input: string | URL | Request) => {
      if (String(input).endsWith('/slow')) await released
      return new Response('{}', { status: 200 })
    }
    const link = resilientFetch({ from: 'gateway', to: 'orders', fetch: fake, maxInFlight: 1 })
    const slow = link.compartment('POST /api/checkout')
    let slowDone = 0
    const held = [slow('http://orders/slow'), slow('http://orders/slow')].map((p) =>
      p.then(() => slowDone++),
    )
    // the slow compartment is full (one in flight, one queued); another route's call answers
    const other = await link.compartment('GET /api/orders/:id/events')('http://orders/fast')
    expect(other.status).toBe(200)
    expect(slowDone).toBe(0)
    // the same compartment is shared by every call naming it
    expect(link.compartment('POST /api/checkout')).toBe(slow)
    release()
    await Promise.all(held)
    expect(slowDone).toBe(2)
  })
})

describe('resilientFetch fair budgets', () => {
  const outer = (fetcher: ReturnType<typeof resilientFetch>) =>
    testApp(
      new Hono<AppEnv>().post('/outer', async (c) => {
        const res = await fetcher(`${base}/thing`, { method: 'POST' })
        return c.json(await unwrap(res))
      }),
    )

  it('counts a timeout against the callee when the caller’s deadline left it most of the link’s timeout', async () => {
    mode = 'slow'
    const board = new BreakerBoard()
    // the caller passes on a little less than the link's own timeout, as every hop does
    const app = outer(
      resilientFetch({ from: 'a', to: 'b', board, timeoutMs: 120, breakerFailures: 2 }),
    )
    for (let i = 0; i < 2; i++) {
      const res = await app.request('/outer', {
        method: 'POST',
        headers: { 'X-Deadline-Ms': '110' },
      })
      expect(res.status).toBe(503)
    }
    expect(board.list()[0]?.state).toBe('open')
    mode = 'ok'
  })
})

describe('resilientFetch when the caller stops waiting', () => {
  it('gives the call’s place up at once, without counting it against the callee', async () => {
    // a fake network: /slow answers only when aborted (as fetch rejects), anything else at once
    let slowCalls = 0
    const fake = (input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((resolve, reject) => {
        if (!String(input).endsWith('/slow')) return resolve(new Response('{}'))
        slowCalls++
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
      })
    const board = new BreakerBoard()
    const link = resilientFetch({
      from: 'gateway',
      to: 'orders',
      board,
      fetch: fake,
      maxInFlight: 1,
      timeoutMs: 60_000,
      breakerFailures: 2,
    })
    for (let i = 0; i < 3; i++) {
      const client = new AbortController()
      // one in flight, one queued behind it: both belong to clients that leave
      const inFlight = link('http://orders/slow', { method: 'POST', signal: client.signal })
      const queued = link('http://orders/slow', { method: 'POST', signal: client.signal })
      const errors = Promise.all([inFlight, queued].map((p) => p.catch((e) => e)))
      client.abort()
      for (const error of await errors) {
        expect(error).toMatchObject({ kind: 'unavailable' })
        expect(error.message).toContain('stopped waiting')
      }
    }
    // the queued calls never reached the network, and the slot is free for the next caller
    expect(slowCalls).toBe(3)
    expect((await link('http://orders/fast')).status).toBe(200)
    expect(board.list()[0]?.state).toBe('closed')
  })
})
