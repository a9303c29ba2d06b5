import type { Context, Hono } from 'hono'
import type { Transport } from '../../shared/platform/bus/transport.ts'
import { resilience } from '../../shared/platform/config.ts'
import { type AppOptions, createApp } from '../../shared/platform/http/app.ts'
import { knownUsers, type TokenIssuer } from '../../shared/platform/http/auth.ts'
import { BreakerBoard } from '../../shared/platform/http/breakers.ts'
import { docsRoutes } from '../../shared/platform/http/docs.ts'
import type { AppEnv } from '../../shared/platform/http/env.ts'
import { openApiDocument } from '../../shared/platform/http/openapi.ts'
import { type Fetch, resilientFetch } from '../../shared/platform/http/remote.ts'
import { opsApp } from '../../shared/platform/ops/app.ts'
import type { Telemetry } from '../../shared/platform/telemetry.ts'
import { version } from '../../shared/platform/version.ts'
import { hostOf } from '../../shared/wiring/plan.ts'
import { publicEndpoints } from '../../shared/wiring/registry.ts'
import { linkShares } from '../../shared/wiring/wire.ts'
import type { MicroConfig } from '../config.ts'
import { microOps } from '../ops.ts'
import type { Replica, Supervisor } from '../supervisor/supervisor.ts'
import type { ServiceSpec } from '../topology.ts'

// GatewayOptions are the gateway's collaborators: the supervisor (whose replicas it routes to),
// its limits, and what its operations routes show (the supervisor's table, the queue's depth)
export interface GatewayOptions {
  config: MicroConfig
  supervisor: Supervisor
  queue: Transport
  tokens: TokenIssuer
  telemetry: Telemetry
  // the rate limiter (settings.limit 0 turns it off)
  limits: AppOptions['limits']
  log?: (msg: string) => void
}

// hop-by-hop headers are the connection's own and never forwarded
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
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
  opts.telemetry.trackBreakers(board)
  const app = createApp({
    service: 'gateway',
    deployment: 'micro',
    version,
    tokens: opts.tokens,
    telemetry: opts.telemetry,
    log: opts.log,
    ops: { open: config.mode.openOps, metricsToken: config.secrets.metricsToken },
    limits: opts.limits,
    userExists: knownUsers(
      userLookup(supervisor, hostOf(config.topology, 'users').name, config.serviceToken),
    ),
  })

  app.route(
    '/',
    docsRoutes(
      openApiDocument(publicEndpoints(config.topology.registry), { title: 'twinstack', version }),
      'twinstack',
    ),
  )
  // status, dashboard, chaos and process control: the same operations app as the monolith's
  app.route('/', opsApp(microOps({ ...opts, board })))

  const routed = config.topology.services.filter((s) => s.routes.length > 0)
  // a public request goes to one group: a link may use up to half the sockets (see linkShares)
  const shares = linkShares(routed, 'each-request-calls-one')
  for (const spec of routed) {
    const forward = proxy(spec, supervisor, board, config.serviceToken, shares.get(spec.name)!)
    for (const pattern of spec.routes) app.all(pattern, forward(pattern))
  }
  return app
}

// proxy forwards a request to the next live replica of a service, body and answer untouched;
// each public route is its own compartment of the link (one breaker, a bulkhead per route), so
// a route held by a slow dependency (checkout, while payments hangs) cannot queue the service's
// other routes behind it. The socket budget still holds in normal running: calls in flight
// exceed a route's share only while something is slow, and those sockets are busy, not idle
function proxy(
  spec: ServiceSpec,
  supervisor: Supervisor,
  board: BreakerBoard,
  serviceToken: string,
  maxInFlight: number,
) {
  let next = 0
  const link = resilientFetch({
    from: 'gateway',
    to: spec.name,
    board,
    serviceToken,
    maxInFlight,
    timeoutFor: budgetFor,
  })
  return (route: string) => {
    const upstream: Fetch = link.compartment(route)
    // on a route with a budget of its own (checkout, cancellation: 8 s), a client that gave up
    // frees its place in the route's bulkhead (and its socket) at once. Other routes' calls end
    // within the link's 2 s timeout anyway, and passing the request's signal on costs every
    // forwarded request ~5 µs (AbortSignal.any, and Bun making the signal)
    const passAbort = budgetFor(`http://gateway${route}`) !== undefined
    return async function forward(c: Context<AppEnv>) {
      const replicas = supervisor.replicasOf(spec.name)
      // prefer replicas the supervisor believes up; if none, try anyway and let the breaker speak
      const live = replicas.filter((r) => r.state === 'up')
      const pool: Replica[] = live.length ? live : replicas
      const target = pool[next++ % pool.length]!
      // path and query as received, without parsing the URL: everything after the authority
      const raw = c.req.url
      const pathAndQuery = raw.slice(raw.indexOf('/', raw.indexOf('//') + 2))
      // one native copy of the request's headers, less the connection's own
      const headers = new Headers(c.req.raw.headers)
      for (const h of HOP_BY_HOP) headers.delete(h)
      // the request id and traceparent of this request are added by the upstream fetch
      const method = c.req.method
      // the body was read in full (bounded, with a deadline) by createApp before any upstream is
      // called: a slow client is answered 408 here and never counts against a breaker
      const res = await upstream(`${target.url}${pathAndQuery}`, {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : await c.req.arrayBuffer(),
        signal: passAbort ? c.req.raw.signal : undefined,
        // a replica on this host listening on a unix socket is reached through it
        unix: target.socket,
      })
      // the upstream answer goes out as it came (fetch's headers are ours to change): no copy of
      // its headers or body, only the connection's own headers taken off
      for (const h of HOP_BY_HOP) if (res.headers.has(h)) res.headers.delete(h)
      return res
    }
  }
}

const CANCEL = /^\/api\/orders\/[^/]+\/cancel$/

// budgetFor is the time a public route may take end to end: checkout and cancellation run a
// chain of internal calls, everything else one hop or two (resilience.timeoutMs)
function budgetFor(url: string): number | undefined {
  // the path, cut from the string: no URL parse on every forwarded request
  const start = url.indexOf('/', url.indexOf('//') + 2)
  const query = url.indexOf('?', start)
  const path = url.slice(start, query < 0 ? undefined : query)
  if (path === '/api/checkout' || CANCEL.test(path)) return resilience.checkoutBudgetMs
  return undefined
}

// userLookup asks a live replica of the group hosting users whether a token's subject still exists (the gateway
// keeps positive answers a minute: knownUsers); 404 is no, anything else is an error
function userLookup(supervisor: Supervisor, usersGroup: string, serviceToken: string) {
  let next = 0
  return async (id: string): Promise<boolean> => {
    const live = supervisor.replicasOf(usersGroup).filter((r) => r.state === 'up')
    if (!live.length) throw new Error('no users replica up')
    const r = live[next++ % live.length]!
    const res = await fetch(`${r.url}/internal/users/users/${encodeURIComponent(id)}`, {
      headers: { 'X-Service-Token': serviceToken },
      signal: AbortSignal.timeout(1000),
    })
    await res.body?.cancel()
    if (res.status === 404 || res.status === 400) return false
    if (!res.ok) throw new Error(`users answered ${res.status}`)
    return true
  }
}
