import { describe, expect, it } from 'bun:test'
import { sign } from 'hono/jwt'
import { audienceOf, jwtIssuer, knownUsers } from './auth.ts'

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
