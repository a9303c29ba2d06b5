import { describe, expect, it } from 'bun:test'
import { sameSecret } from './service-token.ts'

describe('sameSecret', () => {
  it('accepts the secret itself only', () => {
    const secret = 'a3f9c2e1b4d5'
    expect(sameSecret(secret, secret)).toBe(true)
    expect(sameSecret(`${secret}`, secret)).toBe(true)
    // one character off anywhere, a prefix, a longer string, nothing at all
    expect(sameSecret('b3f9c2e1b4d5', secret)).toBe(false)
    expect(sameSecret('a3f9c2e1b4d4', secret)).toBe(false)
    expect(sameSecret('a3f9c2e1b4d', secret)).toBe(false)
    expect(sameSecret(`${secret}0`, secret)).toBe(false)
    expect(sameSecret('', secret)).toBe(false)
    // a string that differs only beyond the secret's length is no match either
    expect(sameSecret(`${secret}\u0000`, secret)).toBe(false)
  })
})
