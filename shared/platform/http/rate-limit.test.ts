import { afterAll, describe, expect, it } from 'bun:test'
import { randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { testTokens } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import { freePort } from '../../testing/process.ts'
import { limitSettings } from '../config.ts'
import { Telemetry } from '../telemetry.ts'
import { createApp } from './app.ts'
import type { AppEnv } from './env.ts'
import { type HitStore, memoryStore, redisStore } from './rate-limit.ts'

const REDIS = process.env.TWINSTACK_REDIS ?? 'redis://127.0.0.1:6379'

// an app like the monolith's: the limiter between token identification and its 401
function limitedApp(store: HitStore, env: Record<string, string> = {}) {
  const settings = limitSettings({
    TWINSTACK_RATE_LIMIT: '5',
    TWINSTACK_RATE_WINDOW_MS: '60000',
    TWINSTACK_AUTH_LIMIT: '3',
    TWINSTACK_AUTH_ADDRESS_LIMIT: '4',
    TWINSTACK_TRUSTED_PROXIES: '10.9.9.9',
    ...env,
  })
  const app = createApp({
    service: 'test',
    deployment: 'monolith',
    version: 'test',
    tokens: testTokens,
    telemetry: new Telemetry('test'),
    log: () => {},
    limits: { settings, store },
  })
  app.route(
    '/',
    new Hono<AppEnv>()
      .get('/api/thing', (c) => c.json({ user: c.get('user')?.id ?? null }))
      .post('/api/auth/login', (c) => c.json({ ok: true })),
  )
  return app
}

// send makes a request as if from a peer address (Bun's server hands that to getConnInfo)
const send = (
  app: Hono<AppEnv>,
  from: string,
  path = '/api/thing',
  init: RequestInit & { headers?: Record<string, string> } = {},
) =>
  app.request(path, init, {
    requestIP: () => ({ address: from, family: 'IPv4', port: 40000 }),
  })

const exhaust = async (app: Hono<AppEnv>, from: string, n: number, init = {}) => {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await send(app, from, '/api/thing', init)).status)
  return out
}

const stores: [string, () => HitStore][] = [
  ['memory', memoryStore],
  ['redis', () => redisStore(REDIS, `twinstack:rl:test-${randomUUID()}:`)],
]

for (const [kind, make] of stores) {
  describe(`rateLimit (${kind} store)`, () => {
    const opened: HitStore[] = []
    const store = () => {
      const s = make()
      opened.push(s)
      return s
    }
    afterAll(() => {
      for (const s of opened) s.close()
    })

    it('answers 429 problem+json with Retry-After past the limit, per address', async () => {
      const app = limitedApp(store())
      expect(await exhaust(app, '192.0.2.1', 5)).toEqual([200, 200, 200, 200, 200])
      const limited = await send(app, '192.0.2.1')
      await expectProblem(limited, 429)
      const retry = Number(limited.headers.get('Retry-After'))
      expect(retry).toBeGreaterThan(0)
      expect(retry).toBeLessThanOrEqual(60)
      expect((await send(app, '192.0.2.2')).status).toBe(200)
    })

    it('believes X-Forwarded-For only from a trusted proxy', async () => {
      const app = limitedApp(store())
      // an untrusted peer rotating the header is still one client
      const rotating = []
      for (let i = 0; i < 6; i++)
        rotating.push(
          (
            await send(app, '192.0.2.3', '/api/thing', {
              headers: { 'X-Forwarded-For': `1.1.1.${i}` },
            })
          ).status,
        )
      expect(rotating.at(-1)).toBe(429)
      // through the trusted proxy each forwarded address is its own client
      for (let i = 0; i < 6; i++) {
        const res = await send(app, '10.9.9.9', '/api/thing', {
          headers: { 'X-Forwarded-For': `6.6.6.6, 2.2.2.${i}` },
        })
        expect(res.status).toBe(200)
      }
    })

    it('keys a signed-in user by the user, and counts refused tokens against the address', async () => {
      const app = limitedApp(store())
      const token = await testTokens.issue({ id: 'u-rl', email: 'rl@x', role: 'customer' })
      const auth = { headers: { Authorization: `Bearer ${token}` } }
      // the user's bucket is not the address's
      expect((await exhaust(app, '192.0.2.4', 5, auth)).every((s) => s === 200)).toBe(true)
      expect((await send(app, '192.0.2.4')).status).toBe(200)
      expect((await send(app, '192.0.2.5', '/api/thing', auth)).status).toBe(429)
      // bad tokens: 401 until the address is spent, then 429
      const bad = { headers: { Authorization: 'Bearer nope' } }
      expect(await exhaust(app, '192.0.2.6', 6, bad)).toEqual([401, 401, 401, 401, 401, 429])
    })

    it('throttles login attempts per account and per address', async () => {
      const app = limitedApp(store(), { TWINSTACK_RATE_LIMIT: '1000' })
      const login = (from: string, email: string) =>
        send(app, from, '/api/auth/login', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email, password: 'x' }),
        })
      // one account from many addresses: 3 attempts, then 429 (case and spaces do not help)
      const account = []
      for (let i = 0; i < 4; i++)
        account.push((await login(`198.51.100.${i}`, ' Target@X.io ')).status)
      expect(account).toEqual([200, 200, 200, 429])
      // one address over many accounts: 4 attempts, then 429
      const address = []
      for (let i = 0; i < 5; i++) address.push((await login('198.51.100.99', `a${i}@x.io`)).status)
      expect(address).toEqual([200, 200, 200, 200, 429])
    })

    it('is off with TWINSTACK_RATE_LIMIT=0 (the bench)', async () => {
      const app = limitedApp(store(), { TWINSTACK_RATE_LIMIT: '0' })
      expect((await exhaust(app, '192.0.2.7', 20)).every((s) => s === 200)).toBe(true)
    })
  })
}

describe('rateLimit (store failure)', () => {
  it('lets requests through when the store fails, rather than failing the API', async () => {
    const broken: HitStore = {
      hit: () => Promise.reject(new Error('store down')),
      close: () => {},
    }
    const app = limitedApp(broken)
    expect((await exhaust(app, '192.0.2.8', 8)).every((s) => s === 200)).toBe(true)
  })

  it('lets requests through while Redis cannot be reached', async () => {
    // a port nobody listens on: every hit fails fast instead of queueing for a reconnect
    const store = redisStore(`redis://127.0.0.1:${freePort()}`, 'twinstack:rl:nowhere:')
    try {
      const app = limitedApp(store)
      expect((await exhaust(app, '192.0.2.9', 8)).every((s) => s === 200)).toBe(true)
    } finally {
      store.close()
    }
  })
})
