import { type Context, Hono } from 'hono'
import { notFound } from '../../shared/domain/errors.ts'
import type { Transport } from '../../shared/platform/bus/transport.ts'
import type { Fault } from '../../shared/platform/chaos.ts'
import { resilience } from '../../shared/platform/config.ts'
import { type AppOptions, createApp } from '../../shared/platform/http/app.ts'
import { knownUsers, requireAdmin, type TokenIssuer } from '../../shared/platform/http/auth.ts'
import { BreakerBoard, type BreakerView } from '../../shared/platform/http/breakers.ts'
import {
  type ChaosAction,
  ChaosCommands,
  loopbackOnly,
} from '../../shared/platform/http/chaos-routes.ts'
import {
  type DashboardSnapshot,
  DeadLetterWatch,
  dashboardStream,
  type FeedEvent,
} from '../../shared/platform/http/dashboard.ts'
import { dashboardPage } from '../../shared/platform/http/dashboard-page.ts'
import { docsRoutes } from '../../shared/platform/http/docs.ts'
import type { AppEnv } from '../../shared/platform/http/env.ts'
import { openApiDocument } from '../../shared/platform/http/openapi.ts'
import { type Fetch, resilientFetch } from '../../shared/platform/http/remote.ts'
import { valid } from '../../shared/platform/http/validate.ts'
import type { Telemetry } from '../../shared/platform/telemetry.ts'
import { version } from '../../shared/platform/version.ts'
import type { WindowStats } from '../../shared/platform/window.ts'
import { hostOf, serviceNamed } from '../../shared/wiring/plan.ts'
import { publicEndpoints } from '../../shared/wiring/registry.ts'
import { linkShares } from '../../shared/wiring/wire.ts'
import type { MicroConfig } from '../config.ts'
import type { Replica, Supervisor } from '../supervisor/supervisor.ts'
import type { ServiceSpec } from '../topology.ts'

// GatewayOptions are the gateway's collaborators: the supervisor (whose table it shows), the
// queue (whose depth it shows) and its limits
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
  app.get('/_/status', async (c) => c.json(await status(opts, board)))
  app.route('/', controlRoutes(supervisor))
  app.use('/_/chaos', loopbackOnly(), requireAdmin())
  app.use('/_/chaos/*', loopbackOnly(), requireAdmin())
  app.route('/', chaosForwarding(opts))
  const gatewayEvents: FeedEvent[] = []
  board.onTransition((v) => {
    gatewayEvents.push({
      at: v.changedAt ?? new Date().toISOString(),
      kind: `breaker ${v.state}`,
      source: `${v.from} -> ${v.to}`,
      detail: '',
    })
    if (gatewayEvents.length > 50) gatewayEvents.shift()
  })
  const deadLetters = new DeadLetterWatch()
  app.route(
    '/',
    dashboardStream(() => dashboard(opts, board, gatewayEvents, deadLetters)),
  )
  app.route('/', dashboardPage())

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
    timeoutFor: budgetFor,
  })
  return async function forward(c: Context<AppEnv>) {
    const replicas = supervisor.replicasOf(spec.name)
    // prefer replicas the supervisor believes up; if none, try anyway and let the breaker speak
    const live = replicas.filter((r) => r.state === 'up')
    const pool: Replica[] = live.length ? live : replicas
    const target = pool[next++ % pool.length]!
    // path and query as received, without parsing the URL: everything after the authority
    const raw = c.req.url
    const pathAndQuery = raw.slice(raw.indexOf('/', raw.indexOf('//') + 2))
    const headers = new Headers()
    c.req.raw.headers.forEach((value, key) => {
      if (!HOP.has(key)) headers.set(key, value)
    })
    // the request id and traceparent of this request are added by the upstream fetch
    const method = c.req.method
    // the body was read in full (bounded, with a deadline) by createApp before any upstream is
    // called: a slow client is answered 408 here and never counts against a breaker
    const res = await upstream(`${target.url}${pathAndQuery}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : await c.req.arrayBuffer(),
    })
    const out = new Headers(res.headers)
    for (const h of HOP) out.delete(h)
    return new Response(res.body, { status: res.status, headers: out })
  }
}

// budgetFor is the time a public route may take end to end: checkout and cancellation run a
// chain of internal calls, everything else one hop or two (resilience.timeoutMs)
function budgetFor(url: string): number | undefined {
  const path = new URL(url).pathname
  if (path === '/api/checkout' || /^\/api\/orders\/[^/]+\/cancel$/.test(path)) {
    return resilience.checkoutBudgetMs
  }
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

// Local is what a replica says of itself at /_/local
interface Local {
  rssBytes: number
  breakers: BreakerView[]
  stats: WindowStats | null
  faults: { faults: Record<string, Fault>; partitions: string[] }
  events: FeedEvent[]
}

// observe asks every live replica about itself (300 ms each, in parallel) and merges breakers:
// replicas of one caller each hold a breaker per link, the most recently changed one is shown
async function observe(opts: GatewayOptions, board: BreakerBoard) {
  const replicas = opts.supervisor.replicas
  const local = await Promise.all(
    replicas.map(async (r): Promise<Local | null> => {
      if (!r.proc) return null
      try {
        const res = await fetch(`${r.url}/_/local`, {
          headers: { 'X-Service-Token': opts.config.serviceToken },
          signal: AbortSignal.timeout(300),
        })
        if (!res.ok) return null
        return (await res.json()) as Local
      } catch {
        return null
      }
    }),
  )
  const breakers = new Map<string, BreakerView>()
  for (const b of [...board.list(), ...local.flatMap((l) => l?.breakers ?? [])]) {
    const key = `${b.from}->${b.to}`
    const seen = breakers.get(key)
    if (!seen || (b.changedAt ?? '') > (seen.changedAt ?? '')) breakers.set(key, b)
  }
  const sorted = [...breakers.values()].sort((a, b) =>
    `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`),
  )
  return { replicas, local, breakers: sorted }
}

// status is GET /_/status: the supervisor's table, what replicas say, breakers and queues
async function status(opts: GatewayOptions, board: BreakerBoard) {
  const { replicas, local, breakers } = await observe(opts, board)
  return {
    deployment: 'micro',
    layout: opts.config.topology.layout,
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
        // what the process runs: the modules of its group, on which runtime
        modules: serviceNamed(r.service, opts.config.topology).modules,
        runtime: serviceNamed(r.service, opts.config.topology).runtime,
        url: r.url,
        pid: r.pid,
        healthy: local[i] !== null,
        state: r.state,
        restarts: r.restarts,
        rssBytes: local[i]?.rssBytes ?? 0,
      })),
    ],
    breakers,
    queues: opts.queue.stats(),
    events: opts.supervisor.events.slice(-50),
  }
}

// dashboard is one snapshot of the whole deployment for /_/dashboard
async function dashboard(
  opts: GatewayOptions,
  board: BreakerBoard,
  gatewayEvents: FeedEvent[],
  deadLetters: DeadLetterWatch,
): Promise<DashboardSnapshot> {
  const { replicas, local, breakers } = await observe(opts, board)
  const seenAtGateway = new Map(opts.telemetry.window.snapshot().map((w) => [w.target, w]))
  const faults: Record<string, Fault> = {}
  const partitions = new Set<string>()
  const events: FeedEvent[] = [
    ...gatewayEvents,
    ...deadLetters.events,
    ...opts.supervisor.events.map((e) => ({
      at: e.at,
      kind: e.kind,
      source: e.service,
      detail: e.detail,
    })),
  ]
  for (const l of local) {
    if (!l) continue
    Object.assign(faults, l.faults.faults)
    for (const p of l.faults.partitions) partitions.add(p)
    events.push(...l.events)
  }
  const targets = opts.config.topology.services.map((spec) => {
    const mine = replicas
      .map((r, i) => [r, local[i]] as const)
      .filter(([r]) => r.service === spec.name)
    const state = mine.some(([r]) => r.state === 'up')
      ? 'up'
      : mine.some(([r]) => r.state === 'starting')
        ? 'starting'
        : mine.every(([r]) => r.state === 'stopped')
          ? 'stopped'
          : 'down'
    // what users see of a routed service is measured at the gateway (a dead service cannot
    // count its own failures); internal ones report themselves, replicas summed
    const own = mine.map(([, l]) => l?.stats).filter((x): x is WindowStats => Boolean(x))
    const stats = seenAtGateway.get(spec.name) ?? mergeStats(spec.name, own)
    return { ...stats, target: spec.name, kind: 'service' as const, state: state as 'up' }
  })
  return {
    deployment: 'micro',
    at: new Date().toISOString(),
    targets,
    processes: [
      {
        name: 'gateway',
        replica: 0,
        pid: process.pid,
        url: `http://${opts.config.host}:${opts.config.topology.gateway.port}`,
        state: 'up',
        restarts: 0,
        rssBytes: process.memoryUsage.rss(),
      },
      ...replicas.map((r, i) => ({
        name: r.service,
        replica: r.index,
        pid: r.pid,
        url: r.url,
        state: r.state,
        restarts: r.restarts,
        rssBytes: local[i]?.rssBytes ?? 0,
      })),
    ],
    breakers,
    queues: deadLetters.observe(opts.queue.stats()),
    faults: { faults, partitions: [...partitions] },
    events: events.sort((a, b) => a.at.localeCompare(b.at)).slice(-50),
  }
}

// mergeStats adds up the windows of a service's replicas (percentiles: the worst replica's)
function mergeStats(target: string, all: WindowStats[]): WindowStats {
  const count = all.reduce((n, w) => n + w.count, 0)
  const worst = (k: 'p50' | 'p99') =>
    all.reduce<number | null>((m, w) => (w[k] === null ? m : Math.max(m ?? 0, w[k]!)), null)
  const length = Math.max(0, ...all.map((w) => w.series.length))
  return {
    target,
    count,
    rps: all.reduce((n, w) => n + w.rps, 0),
    errorRate: count ? all.reduce((n, w) => n + w.errorRate * w.count, 0) / count : 0,
    p50: worst('p50'),
    p99: worst('p99'),
    series: Array.from({ length }, (_, i) => ({
      count: all.reduce((n, w) => n + (w.series[i]?.count ?? 0), 0),
      errors: all.reduce((n, w) => n + (w.series[i]?.errors ?? 0), 0),
    })),
  }
}

// chaosForwarding takes the chaos commands on the gateway, checks names against the topology,
// and hands each to the replicas it concerns: faults live where the traffic is
function chaosForwarding(opts: GatewayOptions) {
  const t = opts.config.topology
  const serviceOf = (name: string) =>
    t.services.find((s) => s.name === name || s.modules.includes(name))?.name ?? null
  const send = async (service: string, action: string, body: unknown) =>
    Promise.all(
      opts.supervisor
        .replicasOf(service)
        .filter((r) => r.proc)
        .map((r) =>
          fetch(`${r.url}/_/chaos/${action}`, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              'X-Service-Token': opts.config.serviceToken,
            },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(1000),
          }).catch(() => null),
        ),
    )
  const app = new Hono<AppEnv>()
  app.get('/_/chaos', async (c) => {
    const all = await Promise.all(
      opts.supervisor.replicas
        .filter((r) => r.proc)
        .map((r) =>
          fetch(`${r.url}/_/chaos`, {
            headers: { 'X-Service-Token': opts.config.serviceToken },
            signal: AbortSignal.timeout(500),
          })
            .then(
              (res) =>
                res.json() as Promise<{ faults: Record<string, Fault>; partitions: string[] }>,
            )
            .catch(() => null),
        ),
    )
    const faults: Record<string, Fault> = {}
    const partitions = new Set<string>()
    for (const a of all) {
      if (!a) continue
      Object.assign(faults, a.faults)
      for (const p of a.partitions) partitions.add(p)
    }
    return c.json({ faults, partitions: [...partitions] })
  })
  for (const action of Object.keys(ChaosCommands) as ChaosAction[]) {
    app.post(`/_/chaos/${action}`, valid('json', ChaosCommands[action]), async (c) => {
      const body = c.req.valid('json' as never) as Record<string, any>
      const resolve = (name: string) => {
        const s = serviceOf(name)
        if (!s) throw notFound(`target ${name}`)
        return s
      }
      if (action === 'partition') {
        const from = resolve(body.from)
        const to = resolve(body.to)
        await send(from, action, { from, to })
        return c.json({ action, from, to })
      }
      if (action === 'heal' && body.target === 'all') {
        await Promise.all(t.services.map((s) => send(s.name, action, { target: 'all' })))
        return c.json({ action, target: 'all' })
      }
      const target = resolve(body.target)
      await send(target, action, { ...body, target })
      return c.json({ action, ...body, target })
    })
  }
  return app
}

// controlRoutes let an admin kill, stop, start or restart a service (the chaos tools use them);
// the gateway listens on loopback only
function controlRoutes(supervisor: Supervisor) {
  return new Hono<AppEnv>()
    .use('/_/control/*', loopbackOnly(), requireAdmin())
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
