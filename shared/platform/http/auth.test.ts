import { describe, expect, it } from 'bun:test'
import { Hono } from 'hono'
import { sign } from 'hono/jwt'
import { testTokens } from '../../testing/harness.ts'
import {
  audienceOf,
  identify,
  jwtIssuer,
  knownUsers,
  requireOps,
  requireValidToken,
} from './auth.ts'
import type { AppEnv } from './env.ts'
import { onError } from './problem.ts'

const secret = 'a-test-secret-that-is-long-enough-for-hs256'
const user = { id: 'u-1', email: 'u1@x.io', role: 'admin' as const }

describe('jwtIssuer', () => {
  it('issues tokens with exp, iss and aud that it accepts', async () => {
    const tokens = jwtIssuer(secret, { audience: audienceOf('monolith') })
    const token = await tokens.issue(user)
    const [, payload] = token.split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    expect(claims).toMatchObject({ iss: 'twinstack', aud: 'twinstack-monolith', sub: 'u-1' })
    expect(claims.exp).toBeGreaterThan(claims.iat)
    expect(await tokens.check(token)).toEqual(user)
  })

  it("refuses the other deployment's tokens, and tokens without exp, iss or aud", async () => {
    const mono = jwtIssuer(secret, { audience: audienceOf('monolith') })
    const micro = jwtIssuer(secret, { audience: audienceOf('micro') })
    await expect(mono.check(await micro.issue(user))).rejects.toMatchObject({
      kind: 'unauthorized',
    })
    const now = Math.floor(Date.now() / 1000)
    const base = { sub: 'u-1', email: 'u1@x.io', role: 'admin', iat: now }
    for (const claims of [
      { ...base, iss: 'twinstack', aud: 'twinstack-monolith' },
      { ...base, aud: 'twinstack-monolith', exp: now + 60 },
      { ...base, iss: 'twinstack', exp: now + 60 },
    ]) {
      await expect(mono.check(await sign(claims, secret, 'HS256'))).rejects.toMatchObject({
        kind: 'unauthorized',
      })
    }
  })
})

describe('knownUsers', () => {
  it('caches users that exist, asks again for unknown ones, and trusts the token when the lookup fails', async () => {
    const asked: string[] = []
    const exists = knownUsers(async (id) => {
      asked.push(id)
      if (id === 'down') throw new Error('users unreachable')
      return id === 'u-1'
    })
    expect(await exists('u-1')).toBe(true)
    expect(await exists('u-1')).toBe(true)
    expect(await exists('ghost')).toBe(false)
    expect(await exists('ghost')).toBe(false)
    expect(await exists('down')).toBe(true)
    expect(asked).toEqual(['u-1', 'ghost', 'ghost', 'down'])
  })
})

describe('requireOps', () => {
  const app = new Hono<AppEnv>()
  app.use(identify(testTokens))
  app.use('/_/*', requireOps({ open: false, metricsToken: 'scrape' }))
  app.use(requireValidToken())
  app.onError(onError(() => {}))
  for (const path of [
    '/_/health',
    '/_/dashboard',
    '/_/dashboard/assets/app.js',
    '/_/dashboard/stream',
    '/_/status',
    '/_/metrics',
    '/_/traces/abc',
    '/_/anything-new',
    '/_/chaos',
    '/_/local',
  ])
    app.get(path, (c) => c.text('ok'))
  const get = (path: string, token?: string) =>
    app.request(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} })

  it('leaves health, the dashboard shell and self-guarded routes alone', async () => {
    for (const path of [
      '/_/health',
      '/_/dashboard',
      '/_/dashboard/assets/app.js',
      '/_/chaos',
      '/_/local',
    ])
      expect((await get(path)).status).toBe(200)
  })

  it('lets only admins read every other /_/ route, and the metrics token /_/metrics', async () => {
    const admin = await testTokens.issue({ id: 'u-a', email: 'a@x', role: 'admin' })
    const customer = await testTokens.issue({ id: 'u-c', email: 'c@x', role: 'customer' })
    for (const path of ['/_/dashboard/stream', '/_/status', '/_/traces/abc', '/_/anything-new']) {
      expect((await get(path)).status).toBe(401)
      expect((await get(path, customer)).status).toBe(403)
      expect((await get(path, 'scrape')).status).toBe(401)
      expect((await get(path, admin)).status).toBe(200)
    }
    expect((await get('/_/metrics', 'scrape')).status).toBe(200)
    expect((await get('/_/metrics', 'scrape-not')).status).toBe(401)
  })
})
