import type { RedisClient } from 'bun'
import type { Context, MiddlewareHandler } from 'hono'
import type { LimitSettings } from '../config.ts'
import { socketAddress } from '../runtime.ts'
import type { AppEnv } from './env.ts'
import { problem } from './problem.ts'

// Hit is a key's count in its current window and the ms until that window ends
export interface Hit {
  count: number
  resetMs: number
}

// HitStore counts hits per key in fixed windows: in memory for one process, in Redis when
// several processes serve one port
export interface HitStore {
  hit(key: string, windowMs: number): Promise<Hit>
  close(): void
}

// memoryStore keeps the counters of one process
export function memoryStore(): HitStore {
  const windows = new Map<string, { count: number; resetAt: number }>()
  let sweptAt = Date.now()
  return {
    async hit(key, windowMs) {
      const now = Date.now()
      // drop finished windows now and then, so idle keys do not pile up
      if (now - sweptAt > 10_000) {
        for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k)
        sweptAt = now
      }
      let w = windows.get(key)
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowMs }
        windows.set(key, w)
      }
      w.count++
      return { count: w.count, resetMs: w.resetAt - now }
    },
    close() {
      windows.clear()
    },
  }
}

// one round trip per hit: count, start the window's expiry on the first hit, say what is left
const HIT_SCRIPT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`

// a request never waits on the limiter's store longer than this
const HIT_TIMEOUT_MS = 250

// redisStore keeps the counters in Redis under prefix, shared by every process that uses the
// same prefix (Bun's built-in Redis client, pinned with Bun itself: the processes that face
// clients, monolith and gateway, run on Bun; services behind the gateway keep no limiter)
export function redisStore(url: string, prefix: string): HitStore {
  const bun = (globalThis as { Bun?: { RedisClient: typeof RedisClient } }).Bun
  if (!bun) throw new Error('the Redis rate-limit store needs Bun (TWINSTACK_REDIS under Node)')
  // no offline queue: while Redis is away a hit fails at once (and the limiter lets the request
  // through) instead of waiting for a reconnect
  const client = new bun.RedisClient(url, {
    connectionTimeout: 500,
    autoReconnect: true,
    enableOfflineQueue: false,
  })
  // connect now; the first hits wait for it (bounded), later ones find the client connected
  let connecting = client.connect().catch(() => {})
  // after a failure, hits fail at once for a second (the limiter lets requests through) and
  // the client reconnects, however long Redis was away
  let downUntil = 0
  return {
    async hit(key, windowMs) {
      if (Date.now() < downUntil) throw new Error('redis unavailable')
      let timer: ReturnType<typeof setTimeout> | undefined
      const slow = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('redis did not answer in time')), HIT_TIMEOUT_MS)
      })
      try {
        if (!client.connected) await Promise.race([connecting, slow])
        const [count, ttl] = (await Promise.race([
          client.send('EVAL', [HIT_SCRIPT, '1', `${prefix}${key}`, String(windowMs)]),
          slow,
        ])) as [number, number]
        return { count: Number(count), resetMs: Number(ttl) }
      } catch (error) {
        downUntil = Date.now() + 1000
        if (!client.connected) connecting = client.connect().catch(() => {})
        throw error
      } finally {
        clearTimeout(timer)
      }
    },
    close() {
      client.close()
    },
  }
}

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/

// normalise writes an address the same way whatever the socket said (IPv4-mapped IPv6)
const normalise = (address: string) => V4_MAPPED.exec(address)?.[1] ?? address

// peerAddress is the socket's remote address, or 'unknown' off a socket (app.request in tests)
export function peerAddress(c: Context): string {
  return normalise(socketAddress(c) ?? 'unknown')
}

// clientAddress is the peer address, unless the peer is a trusted proxy: then the nearest
// untrusted address of X-Forwarded-For (a client can prepend anything, never append)
export function clientAddress(c: Context, trusted: ReadonlySet<string>): string {
  const peer = peerAddress(c)
  if (!trusted.has(peer)) return peer
  const chain = (c.req.header('X-Forwarded-For') ?? '')
    .split(',')
    .map((s) => normalise(s.trim()))
    .filter(Boolean)
  for (let i = chain.length - 1; i >= 0; i--) if (!trusted.has(chain[i]!)) return chain[i]!
  return peer
}

// AUTH_PATHS are the routes that guess passwords or create accounts: a stricter bucket
const AUTH_PATHS = new Set(['/api/auth/login', '/api/auth/register'])

// rateLimit is the one rate limiter of both deployments: keyed by the authenticated user, else
// by the client's address; placed after identify and before requireValidToken, so requests with
// a refused token count against their address; login and register also count per account and
// per address in a stricter bucket. Over the limit: 429 problem+json with Retry-After. A store
// that fails lets requests through (a limiter outage must not become an outage of the API).
export function rateLimit(
  settings: LimitSettings,
  store: HitStore,
  log: (msg: string) => void = console.error,
): MiddlewareHandler<AppEnv> {
  const trusted = new Set(settings.trustedProxies.map(normalise))
  let loggedAt = 0
  const failed = (error: unknown) => {
    if (Date.now() - loggedAt > 10_000) {
      loggedAt = Date.now()
      log(`rate limiter store failed, letting requests through: ${(error as Error).message}`)
    }
  }
  const limited = (c: Context, resetMs: number) => {
    c.header('Retry-After', String(Math.max(1, Math.ceil(resetMs / 1000))))
    return problem(c, 429, 'rate limit exceeded, slow down')
  }
  return async function rateLimited(c, next) {
    if (settings.limit <= 0 || c.req.path === '/_/health') return next()
    const user = c.get('user')
    const auth = c.req.method === 'POST' && AUTH_PATHS.has(c.req.path)
    // the common case: one counter, and the address only when there is no user
    if (!auth) {
      try {
        const key = user ? `u:${user.id}` : `a:${clientAddress(c, trusted)}`
        const hit = await store.hit(key, settings.windowMs)
        if (hit.count > settings.limit) return limited(c, hit.resetMs)
      } catch (error) {
        failed(error)
      }
      return next()
    }
    const address = clientAddress(c, trusted)
    const checks: [string, number, number][] = [
      [user ? `u:${user.id}` : `a:${address}`, settings.limit, settings.windowMs],
      [`auth-a:${address}`, settings.authPerAddress, settings.authWindowMs],
    ]
    const email = await c.req
      .json()
      .then((b: { email?: unknown }) => (typeof b?.email === 'string' ? b.email : ''))
      .catch(() => '')
    const account = email.trim().toLowerCase().slice(0, 200)
    if (account) checks.push([`auth-e:${account}`, settings.authPerAccount, settings.authWindowMs])
    let retryMs = 0
    try {
      const hits = await Promise.all(checks.map(([key, , windowMs]) => store.hit(key, windowMs)))
      hits.forEach((h, i) => {
        if (h.count > checks[i]![1]) retryMs = Math.max(retryMs, h.resetMs)
      })
    } catch (error) {
      failed(error)
    }
    if (retryMs > 0) return limited(c, retryMs)
    await next()
  }
}

// limitStore picks the store the settings ask for (Redis when TWINSTACK_REDIS is set)
export function limitStore(settings: LimitSettings, installId: string): HitStore {
  return settings.redisUrl
    ? redisStore(settings.redisUrl, `twinstack:rl:${installId}:`)
    : memoryStore()
}
