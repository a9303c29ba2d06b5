import { type Context, Hono } from 'hono'
import { rateLimiter } from 'hono-rate-limiter'
import { endpoints } from '../../shared/contracts/api.ts'
import { notFound } from '../../shared/domain/errors.ts'
import type { Transport } from '../../shared/platform/bus/transport.ts'
import { createApp } from '../../shared/platform/http/app.ts'
import { requireAdmin, type TokenIssuer } from '../../shared/platform/http/auth.ts'
import { BreakerBoard, type BreakerView } from '../../shared/platform/http/breakers.ts'
import { docsRoutes } from '../../shared/platform/http/docs.ts'
import type { AppEnv } from '../../shared/platform/http/env.ts'
import { openApiDocument } from '../../shared/platform/http/openapi.ts'
import { problem } from '../../shared/platform/http/problem.ts'
import { type Fetch, resilientFetch } from '../../shared/platform/http/remote.ts'
import { currentTrace, traceparentOf } from '../../shared/platform/http/trace.ts'
import type { Telemetry } from '../../shared/platform/telemetry.ts'
import { version } from '../../shared/platform/version.ts'
import type { MicroConfig } from '../config.ts'
import type { Replica, Supervisor } from '../supervisor/supervisor.ts'
import type { ServiceSpec } from '../topology.ts'
import { linkShares } from '../wire.ts'

// GatewayOptions are the gateway's collaborators: the supervisor (whose table it shows), the
// queue (whose depth it shows) and its limits
export interface GatewayOptions {
  config: MicroConfig
  supervisor: Supervisor
  queue: Transport
  tokens: TokenIssuer
  telemetry: Telemetry
  // requests per client per window; 0 turns rate limiting off
  rateLimit: { limit: number; windowMs: number }
  log?: (msg: string) => void
}

// hop-by-hop headers are the connection's own and never forwarded
const HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'te',
  'trailer',
])

// gatewayApp is the single entry point of the microservices deployment: JWT check, rate limit,
// request id and trace context, then routing by path to a replica of the owning service
export function gatewayApp(opts: GatewayOptions): Hono<AppEnv> {
  const { config, supervisor } = opts
  const board = new BreakerBoard()
  board.onTransition((v) => opts.log?.(`breaker ${v.from} -> ${v.to} is ${v.state}`))
  const app = createApp({
    service: 'gateway',
    deployment: 'micro',
    version,
    tokens: opts.tokens,
    telemetry: opts.telemetry,
    log: opts.log,
  })

  if (opts.rateLimit.limit > 0) {
    app.use(
      '/api/*',
      rateLimiter<AppEnv>({
        windowMs: opts.rateLimit.windowMs,
        limit: opts.rateLimit.limit,
        standardHeaders: 'draft-7',
        // a signed-in user is one client wherever they come from; anonymous callers by address
        keyGenerator: (c) => c.get('user')?.id ?? c.req.header('x-forwarded-for') ?? 'anonymous',
        handler: (c) => {
          c.header('Retry-After', String(Math.ceil(opts.rateLimit.windowMs / 1000)))
          return problem(c, 429, 'rate limit exceeded, slow down')
        },
      }),
    )
  }

  app.route(
    '/',
    docsRoutes(openApiDocument(endpoints, { title: 'twinstack', version }), 'twinstack'),
  )
  app.get('/_/status', async (c) => c.json(await status(opts, board)))
  app.route('/', controlRoutes(supervisor))

  const routed = config.topology.services.filter((s) => s.routes.length > 0)
  const shares = linkShares(routed)
  for (const spec of routed) {
    const forward = proxy(spec, supervisor, board, config.serviceToken, shares.get(spec.name)!)
    for (const pattern of spec.routes) app.all(pattern, forward)
  }
  return app
}

// proxy forwards a request to the next live replica of a service, body and answer untouched
function proxy(
  spec: ServiceSpec,
  supervisor: Supervisor,
  board: BreakerBoard,
  serviceToken: string,
  maxInFlight: number,
) {
  let next = 0
  const upstream: Fetch = resilientFetch({
    from: 'gateway',
    to: spec.name,
    board,
    serviceToken,
    maxInFlight,
  })
  return async function forward(c: Context<AppEnv>) {
    const replicas = supervisor.replicasOf(spec.name)
    // prefer replicas the supervisor believes up; if none, try anyway and let the breaker speak
    const live = replicas.filter((r) => r.state === 'up')
    const pool: Replica[] = live.length ? live : replicas
    const target = pool[next++ % pool.length]!
    const url = new URL(c.req.url)
    const headers = new Headers()
    c.req.raw.headers.forEach((value, key) => {
      if (!HOP.has(key)) headers.set(key, value)
    })
    headers.set('X-Request-Id', c.get('requestId'))
    const trace = currentTrace()
    if (trace) headers.set('traceparent', traceparentOf(trace))
    const method = c.req.method
    const res = await upstream(`${target.url}${url.pathname}${url.search}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : c.req.raw.body,
      // @ts-expect-error: Bun and undici need duplex for streamed request bodies
      duplex: 'half',
    })
    const out = new Headers(res.headers)
    for (const h of HOP) out.delete(h)
    return new Response(res.body, { status: res.status, headers: out })
  }
}

// status merges the supervisor's table with what each replica says of itself
async function status(opts: GatewayOptions, board: BreakerBoard) {
  const replicas = opts.supervisor.replicas
  const local = await Promise.all(
    replicas.map(async (r) => {
      if (!r.proc) return null
      try {
        const res = await fetch(`${r.url}/_/local`, { signal: AbortSignal.timeout(300) })
        return (await res.json()) as { rssBytes: number; breakers: BreakerView[] }
      } catch {
        return null
      }
    }),
  )
  const breakers = new Map<string, BreakerView>()
  for (const b of [...board.list(), ...local.flatMap((l) => l?.breakers ?? [])]) {
    const key = `${b.from}->${b.to}`
    const seen = breakers.get(key)
    // replicas of one caller each hold a breaker for a link: show the most recently changed
    if (!seen || (b.changedAt ?? '') > (seen.changedAt ?? '')) breakers.set(key, b)
  }
  return {
    deployment: 'micro',
    services: [
      {
        name: 'gateway',
        url: `http://${opts.config.host}:${opts.config.topology.gateway.port}`,
        pid: process.pid,
        healthy: true,
        restarts: 0,
        rssBytes: process.memoryUsage.rss(),
        replica: 0,
      },
      ...replicas.map((r, i) => ({
        name: r.service,
        replica: r.index,
        url: r.url,
        pid: r.pid,
        healthy: local[i] !== null,
        state: r.state,
        restarts: r.restarts,
        rssBytes: local[i]?.rssBytes ?? 0,
      })),
    ],
    breakers: [...breakers.values()].sort((a, b) =>
      `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`),
    ),
    queues: opts.queue.stats(),
    events: opts.supervisor.events.slice(-50),
  }
}

// controlRoutes let an admin kill, stop, start or restart a service (the chaos tools use them);
// the gateway listens on loopback only
function controlRoutes(supervisor: Supervisor) {
  return new Hono<AppEnv>()
    .use('/_/control/*', requireAdmin())
    .post('/_/control/kill/:service', (c) => {
      const service = known(supervisor, c.req.param('service'))
      return c.json({ service, killed: supervisor.kill(service) })
    })
    .post('/_/control/stop/:service', async (c) => {
      const service = known(supervisor, c.req.param('service'))
      await supervisor.stop(service)
      return c.json({ service, state: 'stopped' })
    })
    .post('/_/control/start/:service', async (c) => {
      const service = known(supervisor, c.req.param('service'))
      await supervisor.startService(service)
      return c.json({ service, state: 'up' })
    })
    .post('/_/control/restart/:service', async (c) => {
      const service = known(supervisor, c.req.param('service'))
      await supervisor.restart(service)
      return c.json({ service, state: 'up' })
    })
}

const known = (supervisor: Supervisor, name: string) => {
  try {
    supervisor.replicasOf(name)
    return name
  } catch {
    throw notFound(`service ${name}`)
  }
}
