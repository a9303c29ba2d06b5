import { timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { forbidden } from '../../domain/errors.ts'

// requireServiceToken refuses calls that do not carry the internal service token, so users
// cannot reach a service (or an internal route) without going through the gateway
export function requireServiceToken(token: string): MiddlewareHandler {
  const expected = Buffer.from(token)
  return async function serviceTokenRequired(c, next) {
    const given = Buffer.from(c.req.header('X-Service-Token') ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw forbidden('internal route: service token required')
    }
    await next()
  }
}
