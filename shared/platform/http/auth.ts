import type { Context, MiddlewareHandler } from 'hono'
import { sign, verify } from 'hono/jwt'
import { type AuthUser, AuthUserSchema } from '../../contracts/common.ts'
import { forbidden, unauthorized } from '../../domain/errors.ts'
import type { AppEnv } from './env.ts'
import { sameSecret } from './service-token.ts'

// TokenIssuer signs and checks the HS256 tokens of api.md
export interface TokenIssuer {
  issue(user: AuthUser): Promise<string>
  check(token: string): Promise<AuthUser>
}

// ISSUER is the `iss` of every token; the audience names the deployment that accepts it
export const ISSUER = 'twinstack'
export const audienceOf = (deployment: string) => `twinstack-${deployment}`

// jwtIssuer issues tokens valid for ttlSeconds with the given secret, for one audience (a
// deployment): a token needs exp, iss and aud to be accepted, so one deployment's tokens are
// refused by the other even when they share a secret
export function jwtIssuer(
  secret: string,
  opts: { audience?: string; ttlSeconds?: number } = {},
): TokenIssuer {
  const audience = opts.audience ?? audienceOf('test')
  const ttlSeconds = opts.ttlSeconds ?? 24 * 3600
  return {
    async issue(user) {
      const now = Math.floor(Date.now() / 1000)
      return sign(
        {
          sub: user.id,
          email: user.email,
          role: user.role,
          iss: ISSUER,
          aud: audience,
          iat: now,
          exp: now + ttlSeconds,
        },
        secret,
        'HS256',
      )
    },
    async check(token) {
      try {
        const p = await verify(token, secret, { alg: 'HS256', iss: ISSUER, aud: audience })
        // hono checks exp only when present: a token that never expires is refused here
        if (typeof p.exp !== 'number') throw new Error('no exp')
        return AuthUserSchema.parse({ id: p.sub, email: p.email, role: p.role })
      } catch {
        throw unauthorized('invalid or expired token')
      }
    },
  }
}

// UserExists tells whether a token's subject is still a user (cached by the caller)
export type UserExists = (id: string) => Promise<boolean>

// knownUsers caches positive answers of exists for ttlMs, so a token costs one lookup a minute;
// a failed lookup (users unreachable) lets the signed token through rather than failing every
// request of a deployment whose users service is down
export function knownUsers(exists: UserExists, ttlMs = 60_000, max = 50_000): UserExists {
  const seen = new Map<string, number>()
  return async function userKnown(id) {
    const until = seen.get(id)
    if (until !== undefined && until > Date.now()) return true
    let ok: boolean
    try {
      ok = await exists(id)
    } catch {
      return true
    }
    if (ok) {
      if (seen.size >= max) seen.clear()
      seen.set(id, Date.now() + ttlMs)
    } else seen.delete(id)
    return ok
  }
}

// AUTH_ERROR is where identify leaves a refused token, for requireValidToken to answer after
// the rate limiter has counted the request
const AUTH_ERROR = 'authError' as const

// identifyRequest reads a Bearer token when present and sets c.var.user; a bad token (bad
// signature, expired, wrong audience, unknown user) is remembered for checkValidToken to answer
// 401, so a rate limiter in between counts it against the caller's address
export async function identifyRequest(
  c: Context<AppEnv>,
  tokens: TokenIssuer,
  exists?: UserExists,
): Promise<void> {
  const header = c.req.header('Authorization')
  if (!header) return
  try {
    const m = /^Bearer\s+(.+)$/i.exec(header)
    if (!m) throw unauthorized('Authorization must be a Bearer token')
    const user = await tokens.check(m[1]!)
    if (exists && !(await exists(user.id))) throw unauthorized('invalid or expired token')
    c.set('user', user)
  } catch (error) {
    c.set(AUTH_ERROR, error as Error)
  }
}

// checkValidToken throws the 401 of a token identifyRequest refused
export function checkValidToken(c: Context<AppEnv>): void {
  const error = c.get(AUTH_ERROR)
  if (error) throw error
}

// identify is identifyRequest as a middleware
export function identify(tokens: TokenIssuer, exists?: UserExists): MiddlewareHandler<AppEnv> {
  return async function identifyUser(c, next) {
    await identifyRequest(c, tokens, exists)
    await next()
  }
}

// requireValidToken answers 401 for a request whose token identify refused
export function requireValidToken(): MiddlewareHandler<AppEnv> {
  return async function validTokenRequired(c, next) {
    checkValidToken(c)
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

// OpsAccess says who may read the operations routes of a process
export interface OpsAccess {
  // --open-ops: anyone (local demos)
  open: boolean
  // a bearer token that may read /_/metrics only (Prometheus), besides admins
  metricsToken: string | null
}

// NOT_OPS are the /_/ routes the gate leaves alone: /_/health and the dashboard's static shell
// (no data in them) are public; /_/local, /_/chaos and /_/control guard themselves (service
// token, or admin + loopback). Everything else under /_/ (status, dashboard stream, metrics,
// traces, and whatever is added later) needs an admin token.
const NOT_OPS = /^\/_\/(health|dashboard|dashboard\/assets\/[^/]+|(local|chaos|control)(\/.*)?)$/

// checkOps lets admins (or, for /_/metrics, the metrics token) read the operations routes, and
// anyone with access.open; throws 401/403 otherwise. For paths under /_/ only
export function checkOps(c: Context<AppEnv>, access: OpsAccess): void {
  if (access.open || NOT_OPS.test(c.req.path)) return
  const header = c.req.header('Authorization') ?? ''
  if (
    access.metricsToken &&
    c.req.path === '/_/metrics' &&
    sameSecret(header, `Bearer ${access.metricsToken}`)
  ) {
    // identify could not read it as a JWT; it is the metrics token, not a bad token
    c.set('authError', undefined)
    return
  }
  const user = c.get('user')
  if (!user) throw unauthorized('operations routes need an admin token')
  if (user.role !== 'admin') throw forbidden('admin only')
}

// requireOps is checkOps as a middleware (mount it on /_/*)
export function requireOps(access: OpsAccess): MiddlewareHandler<AppEnv> {
  return async function opsRequired(c, next) {
    checkOps(c, access)
    await next()
  }
}
