import type { MiddlewareHandler } from 'hono'
import { forbidden } from '../../domain/errors.ts'

// sameSecret compares a given string with the expected secret in time that depends on the
// secret's length only (which is no secret), without the two Buffers and the native call of
// timingSafeEqual: this runs on every internal call
export function sameSecret(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length
  for (let i = 0; i < expected.length; i++) {
    diff |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i)
  }
  return diff === 0
}

// requireServiceToken refuses calls that do not carry the internal service token, so users
// cannot reach a service (or an internal route) without going through the gateway
export function requireServiceToken(token: string): MiddlewareHandler {
  return async function serviceTokenRequired(c, next) {
    if (!sameSecret(c.req.header('X-Service-Token') ?? '', token)) {
      throw forbidden('internal route: service token required')
    }
    await next()
  }
}
