import type { Context, MiddlewareHandler } from 'hono'
import { sign, verify } from 'hono/jwt'
import { type AuthUser, AuthUserSchema } from '../../contracts/common.ts'
import { forbidden, unauthorized } from '../../domain/errors.ts'
import type { AppEnv } from './env.ts'

// TokenIssuer signs and checks the HS256 tokens of api.md
export interface TokenIssuer {
  issue(user: AuthUser): Promise<string>
  check(token: string): Promise<AuthUser>
}

// jwtIssuer issues tokens valid for ttlSeconds with the given secret
export function jwtIssuer(secret: string, ttlSeconds = 24 * 3600): TokenIssuer {
  return {
    async issue(user) {
      const now = Math.floor(Date.now() / 1000)
      return sign(
        { sub: user.id, email: user.email, role: user.role, iat: now, exp: now + ttlSeconds },
        secret,
        'HS256',
      )
    },
    async check(token) {
      try {
        const p = await verify(token, secret, 'HS256')
        return AuthUserSchema.parse({ id: p.sub, email: p.email, role: p.role })
      } catch {
        throw unauthorized('invalid or expired token')
      }
    },
  }
}

// identify reads a Bearer token when present and sets c.var.user; a bad token is a 401
export function identify(tokens: TokenIssuer): MiddlewareHandler<AppEnv> {
  return async function identifyUser(c, next) {
    const header = c.req.header('Authorization')
    if (header) {
      const m = /^Bearer\s+(.+)$/i.exec(header)
      if (!m) throw unauthorized('Authorization must be a Bearer token')
      c.set('user', await tokens.check(m[1]!))
    }
    await next()
  }
}

// requireUser refuses anonymous requests with 401
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async function userRequired(c, next) {
    if (!c.get('user')) throw unauthorized()
    await next()
  }
}

// requireAdmin refuses non-admins with 403 (anonymous with 401)
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function adminRequired(c, next) {
    const user = c.get('user')
    if (!user) throw unauthorized()
    if (user.role !== 'admin') throw forbidden('admin only')
    await next()
  }
}

// currentUser returns the authenticated user of a route behind requireUser
export const currentUser = (c: Context<AppEnv>): AuthUser => {
  const user = c.get('user')
  if (!user) throw unauthorized()
  return user
}

// ownerOrAdmin lets a user see their own resource, an admin everyone's
export function assertOwnerOrAdmin(user: AuthUser, ownerId: string): void {
  if (user.role !== 'admin' && user.id !== ownerId) throw forbidden('not your resource')
}
