// ResilienceConfig holds every threshold of remote calls in one place (the guide's rule)
export const resilience = {
  // a remote call that takes longer than this fails (and counts against the breaker)
  timeoutMs: 2000,
  // consecutive failures that open a breaker
  breakerFailures: 5,
  // a call the caller's deadline cut short is the callee's failure (the breaker counts it) when
  // it still had at least this share of the link's own timeout: the callee had its fair chance.
  // Less than that, the caller ran out of time and the callee is not to blame. (Every hop
  // passes its callee a little less than it got, so "any budget under the own timeout" would
  // excuse every timeout of a service called through another)
  fairBudgetShare: 0.5,
  // how long an open breaker waits before letting one trial call through
  halfOpenAfterMs: 1000,
  // attempts for idempotent calls (GET/HEAD) only
  retryAttempts: 2,
  retryInitialDelayMs: 20,
  retryMaxDelayMs: 200,
  // sockets one process may keep to its upstreams: Bun's fetch keeps at most 64 idle sockets
  // per process and closes the rest, so wiring splits this budget over the upstream hosts and
  // bounds each link's calls in flight by its share (the rest queue); connections are then reused
  socketBudget: 60,
  maxQueuedPerLink: 1024,
  // a product-page part that takes longer than this is left out and named in `degraded`
  aggregatePartDeadlineMs: 300,
  // the gateway's budget for a checkout or a cancellation, under Bun's 10 s idle timeout: its
  // chain (pricing, the branch, capture, commit: each hop at most timeoutMs) fits inside, and
  // is passed down as X-Deadline-Ms so no hop waits longer than its caller does
  checkoutBudgetMs: 8_000,
} as const

// messaging holds the retry policy of consumers before an event is dead-lettered
export const messaging = {
  maxAttempts: 5,
  baseDelayMs: 50,
} as const

// clientBody bounds how long a client may take to send its request body: a client that goes
// quiet this long, or takes longer in all, gets 408 before anyone upstream is called
export const clientBody = {
  idleMs: 2000,
  totalMs: 15_000,
  maxBytes: 1024 * 1024,
} as const

// LimitSettings are the rate limits of one deployment (the same design on both)
export interface LimitSettings {
  // requests per key (user, else peer address) per window; 0 turns every limit off
  limit: number
  windowMs: number
  // login/register attempts per account, and per address, per authWindowMs
  authPerAccount: number
  authPerAddress: number
  authWindowMs: number
  // peers whose X-Forwarded-For is believed (reverse proxies in front of us)
  trustedProxies: string[]
  // a shared store for several processes serving one port (redis://host:port), else memory
  redisUrl: string | null
}

const int = (v: string | undefined, fallback: number) => {
  const n = Number(v)
  return v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback
}

// limitSettings reads the rate limits from an environment (TWINSTACK_RATE_LIMIT=0 turns them off)
export function limitSettings(env: Record<string, string | undefined>): LimitSettings {
  return {
    limit: int(env.TWINSTACK_RATE_LIMIT, 1200),
    windowMs: Math.max(100, int(env.TWINSTACK_RATE_WINDOW_MS, 10_000)),
    authPerAccount: int(env.TWINSTACK_AUTH_LIMIT, 10),
    authPerAddress: int(env.TWINSTACK_AUTH_ADDRESS_LIMIT, 30),
    authWindowMs: Math.max(100, int(env.TWINSTACK_AUTH_WINDOW_MS, 60_000)),
    trustedProxies: (env.TWINSTACK_TRUSTED_PROXIES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    redisUrl: env.TWINSTACK_REDIS || null,
  }
}
