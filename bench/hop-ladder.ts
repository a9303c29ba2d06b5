import { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Hono } from 'hono'
import { microConfig } from '../micro/config.ts'
import { gatewayApp, HOP_BY_HOP } from '../micro/gateway/app.ts'
import { serviceApp } from '../micro/service.ts'
import { Supervisor } from '../micro/supervisor/supervisor.ts'
import { replicaSockets, serviceNamed } from '../micro/topology.ts'
import type { Catalog } from '../shared/contracts/catalog.ts'
import { sqliteQueue } from '../shared/platform/bus/sqlite-queue.ts'
import { messaging } from '../shared/platform/config.ts'
import { createApp } from '../shared/platform/http/app.ts'
import { audienceOf, jwtIssuer } from '../shared/platform/http/auth.ts'
import { type Fetch, resilientFetch } from '../shared/platform/http/remote.ts'
import { SECURE_HEADERS } from '../shared/platform/http/trace.ts'
import { Telemetry } from '../shared/platform/telemetry.ts'
import { planFor } from '../shared/wiring/plan.ts'
import { moduleWiring } from '../shared/wiring/registry.ts'
import { wire } from '../shared/wiring/wire.ts'
import { median } from './stats.ts'

// HopLadder is where one internal hop of the microservices spends its CPU, layer by layer:
// catalog's product read (one of the product page's four hops) called over a unix socket,
// client and server in this process, from a bare fetch to a bare Bun.serve up to our service
// as it runs behind the resilient link the storefront calls it through. Each step adds one
// layer to the one before; the servers are idle apart from the calls timed
export interface HopLadder {
  calls: number
  rounds: number
  concurrency: number
  // µs of CPU (client and server) per call, medians over the rounds
  steps: Record<HopStep, number | null>
}

// HOP_STEPS name the layers in the order they build on each other:
// bare      fetch → Bun.serve running the product statement (bun:sqlite, prepared): the bare split's leaf
// hono      the same statement in a Hono route
// route     the module's own route: parameter validation, the service (drizzle, prepared), its JSON
// platform  + createApp: request id, trace context and deadline, metrics, token identification, body bound
// service   + the service app as it runs: the service token, chaos and operations routes
// client    + the module's HTTP client on the calling side (URL, status, JSON) over a plain fetch
// link      + the resilient link: trace and deadline headers, timeout, breaker, retry, bulkhead, hop count
export const HOP_STEPS = ['bare', 'hono', 'route', 'platform', 'service', 'client', 'link'] as const
export type HopStep = (typeof HOP_STEPS)[number]

// the headers a call of the storefront carries (see resilientFetch), on the steps it does not make
const CALLER_HEADERS = {
  traceparent: '00-c8ecb7d74c45710ad8c9733acb652355-e7ae0a8c1299dc3b-01',
  'x-request-id': '1f0c6c84-3c8e-4d0e-9a51-6f3b2a7d9e01',
  'x-deadline-ms': '2000',
}

// hopLadder wires catalog as a micro service does, on a fresh database in dir, serves each
// step on its own unix socket and times calls A B C … in turn, the order rotating every round
// so drift favours none
export async function hopLadder(
  dir: string,
  calls = 4000,
  rounds = 7,
  concurrency = 16,
): Promise<HopLadder> {
  const plan = planFor('micro')
  const spec = plan.services.find((s) => s.name === 'catalog')
  if (!spec?.database) throw new Error('the micro plan has no catalog service with a database')
  const token = randomBytes(24).toString('hex')
  const wired = await wire(plan, spec, {
    dataDir: dir,
    jwtSecret: randomBytes(32).toString('hex'),
    deployment: 'micro',
    transport: () =>
      sqliteQueue(join(dir, plan.queue), { groups: plan.groups, retry: messaging, log: () => {} }),
    serviceToken: token,
    faultsBy: 'group',
    log: () => {},
  })
  const raw = new Database(join(dir, spec.database), { readonly: true, strict: true })
  const servers: ReturnType<typeof Bun.serve>[] = []
  try {
    const product = raw.prepare(
      'SELECT id, name, description, category FROM catalog_products WHERE id = ?',
    )
    const JSON_TYPE = { 'Content-Type': 'application/json' }
    const PATH = '/internal/catalog/products/:id'
    const routes = wired.modules.find((m) => m.name === 'catalog')!.routes
    type Serve = (req: Request) => Response | Promise<Response>
    const apps: Record<'bare' | 'hono' | 'route' | 'platform' | 'service', Serve> = {
      bare: (req) => {
        const url = req.url
        const id = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1))
        return new Response(JSON.stringify(product.get(id)), { headers: JSON_TYPE })
      },
      hono: new Hono().get(PATH, (c) => c.json(product.get(c.req.param('id')))).fetch,
      route: new Hono().route('/', routes).fetch,
      platform: createApp({
        service: 'catalog',
        deployment: 'micro',
        version: 'bench',
        tokens: wired.tokens,
        telemetry: new Telemetry('catalog'),
        secureHeaders: false,
      }).route('/', routes).fetch,
      service: serviceApp({
        name: 'catalog',
        replica: 0,
        wired,
        telemetry: new Telemetry('catalog'),
        serviceToken: token,
        ops: { open: false, metricsToken: null },
      }).fetch,
    }
    const socket = (name: string) => join(dir, `hop-${name}.sock`)
    for (const [name, fetch] of Object.entries(apps)) {
      servers.push(Bun.serve({ unix: socket(name), fetch }))
    }
    const headers = { ...CALLER_HEADERS, 'x-service-token': token }
    const plain = (name: string) => async (id: string) => {
      const res = await fetch(`http://localhost/internal/catalog/products/${id}`, {
        headers,
        unix: socket(name),
      })
      if (res.status !== 200) throw new Error(`hop ladder: ${name} answered ${res.status}`)
      return res.json()
    }
    const onService: Fetch = (input, init) => fetch(input, { ...init, unix: socket('service') })
    const clientOf = (f: Fetch) =>
      moduleWiring('catalog', plan.registry).client('http://catalog', f) as Catalog
    const overPlainFetch = clientOf((input, init) => onService(input, { ...init, headers }))
    const overLink = clientOf(
      resilientFetch({
        from: 'storefront',
        to: 'catalog',
        serviceToken: token,
        fetch: onService,
        maxInFlight: concurrency,
      }),
    )
    const found = (p: unknown) => {
      if (!p) throw new Error('hop ladder: product not found')
      return p
    }
    const run: Record<HopStep, (id: string) => Promise<unknown>> = {
      bare: plain('bare'),
      hono: plain('hono'),
      route: plain('route'),
      platform: plain('platform'),
      service: plain('service'),
      client: async (id) => found(await overPlainFetch.product(id)),
      link: async (id) => found(await overLink.product(id)),
    }
    return {
      calls,
      rounds,
      concurrency,
      steps: await timeSteps(HOP_STEPS, run, calls, rounds, concurrency),
    }
  } finally {
    for (const s of servers) s.stop(true)
    raw.close()
    await wired.close()
  }
}

const IDS = Array.from({ length: 1000 }, (_, i) => `p-${String(i + 1).padStart(4, '0')}`)

// timeSteps times each step's calls (`concurrency` in flight, CPU of this process per call) in
// turn, A B C …, the order rotating every round so drift favours none, after one warm-up pass;
// medians over the rounds
async function timeSteps<S extends string>(
  steps: readonly S[],
  run: Record<S, (id: string) => Promise<unknown>>,
  calls: number,
  rounds: number,
  concurrency: number,
): Promise<Record<S, number | null>> {
  const time = async (step: S, n: number) => {
    const f = run[step]
    let left = n
    const t0 = process.cpuUsage()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await f(IDS[left % IDS.length]!)
      }),
    )
    const t = process.cpuUsage(t0)
    return (t.user + t.system) / n
  }
  for (const step of steps) await time(step, Math.min(calls, 3000))
  const got = Object.fromEntries(steps.map((s) => [s, [] as number[]])) as Record<S, number[]>
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < steps.length; k++) {
      const step = steps[(k + r) % steps.length]!
      got[step].push(await time(step, calls))
    }
  }
  return Object.fromEntries(steps.map((s) => [s, median(got[s])])) as Record<S, number | null>
}

// GatewayLadder is where our gateway spends its CPU on a forwarded request, layer by layer: a
// public GET (the reviews of a product) through a proxy to an upstream answering as our
// services answer, client, proxy and upstream in this process over unix sockets. The upstream
// and the client are the same in every step, so the differences are the proxy's
export interface GatewayLadder {
  calls: number
  rounds: number
  concurrency: number
  // µs of CPU per forwarded request (client, proxy and upstream), medians over the rounds
  steps: Record<GatewayStep, number | null>
}

// GATEWAY_STEPS name the layers in the order they build on each other:
// bare      Bun.serve + fetch, the request's headers copied with the service token (bench/targets/proxy.ts)
// answered  + the headers a public answer carries: hop-by-hop ones off, ten secure headers, request id, trace, hop count
// platform  the bare forward as a route of createApp: request context (which sets those headers), identification, body bound, metrics
// gateway   our gateway as it runs: routing among every public route, per-route bulkhead, breaker, retry, deadline, trace headers
export const GATEWAY_STEPS = ['bare', 'answered', 'platform', 'gateway'] as const
export type GatewayStep = (typeof GATEWAY_STEPS)[number]

// gatewayLadder builds our gateway in this process over a supervisor that starts nothing, with a
// bare upstream listening on the reviews replica's socket, and times each step in turn
export async function gatewayLadder(
  dir: string,
  calls = 4000,
  rounds = 7,
  concurrency = 16,
): Promise<GatewayLadder> {
  const config = microConfig({
    TWINSTACK_DATA: dir,
    TWINSTACK_SERVICE_TOKEN: randomBytes(24).toString('hex'),
    TWINSTACK_DEMO: '1',
  })
  if (!config.socketDir) throw new Error('gateway ladder: the services listen on no unix socket')
  mkdirSync(config.socketDir, { recursive: true })
  const reviews = serviceNamed('reviews', config.topology)
  const upstreamSocket = replicaSockets(reviews, config.socketDir)[0]!
  const token = config.serviceToken
  const queue = sqliteQueue(join(dir, config.topology.queue), { groups: config.topology.groups })
  const servers: ReturnType<typeof Bun.serve>[] = []
  try {
    // the upstream answers as our services do: JSON with the request id, trace and hop count
    const body = JSON.stringify({
      items: Array.from({ length: 5 }, (_, i) => ({
        id: `r-0000${i}`,
        productId: 'p-0001',
        userId: 'u-0001',
        rating: 4,
        text: 'Does what it says, and well made.',
        createdAt: '2026-01-01T00:00:00.000Z',
      })),
      total: 5,
    })
    servers.push(
      Bun.serve({
        unix: upstreamSocket,
        fetch: (req) =>
          new Response(body, {
            headers: {
              'Content-Type': 'application/json',
              'X-Request-Id': req.headers.get('x-request-id') ?? 'none',
              traceparent: CALLER_HEADERS.traceparent,
              'X-Hops': '0',
              'X-Internal-Bytes': '0',
            },
          }),
      }),
    )
    const pathOf = (url: string) => url.slice(url.indexOf('/', url.indexOf('//') + 2))
    const forward = (req: Request) => {
      const headers = new Headers(req.headers)
      headers.delete('host')
      headers.delete('connection')
      headers.set('X-Service-Token', token)
      return fetch(`http://localhost${pathOf(req.url)}`, {
        method: req.method,
        headers,
        unix: upstreamSocket,
      })
    }
    const supervisor = new Supervisor(config, { command: () => ['true'], restart: false, env: {} })
    type Serve = (req: Request) => Response | Promise<Response>
    const proxies: Record<GatewayStep, Serve> = {
      bare: forward,
      answered: async (req) => {
        const res = await forward(req)
        const h = res.headers
        for (const name of HOP_BY_HOP) if (h.has(name)) h.delete(name)
        for (const [name, value] of SECURE_HEADERS) h.set(name, value)
        h.set('X-Request-Id', CALLER_HEADERS['x-request-id'])
        h.set('traceparent', CALLER_HEADERS.traceparent)
        h.set('X-Hops', '1')
        h.set('X-Internal-Bytes', String(body.length))
        return res
      },
      platform: createApp({
        service: 'gateway',
        deployment: 'micro',
        version: 'bench',
        tokens: jwtIssuer(randomBytes(32).toString('hex')),
        telemetry: new Telemetry('gateway'),
      }).get('/api/products/:id/reviews', async (c) => {
        const res = await forward(c.req.raw)
        for (const name of HOP_BY_HOP) if (res.headers.has(name)) res.headers.delete(name)
        return res
      }).fetch,
      gateway: gatewayApp({
        config,
        supervisor,
        queue,
        tokens: jwtIssuer(config.jwtSecret, { audience: audienceOf('micro') }),
        telemetry: new Telemetry('gateway'),
        limits: undefined,
      }).fetch,
    }
    const socket = (name: string) => join(dir, `gateway-${name}.sock`)
    for (const [name, fetch] of Object.entries(proxies)) {
      servers.push(Bun.serve({ unix: socket(name), fetch }))
    }
    const client = (name: string) => async (id: string) => {
      const res = await fetch(`http://localhost/api/products/${id}/reviews`, {
        unix: socket(name),
      })
      if (res.status !== 200) throw new Error(`gateway ladder: ${name} answered ${res.status}`)
      return res.arrayBuffer()
    }
    const run = Object.fromEntries(GATEWAY_STEPS.map((s) => [s, client(s)])) as Record<
      GatewayStep,
      (id: string) => Promise<unknown>
    >
    return {
      calls,
      rounds,
      concurrency,
      steps: await timeSteps(GATEWAY_STEPS, run, calls, rounds, concurrency),
    }
  } finally {
    for (const s of servers) s.stop(true)
    await queue.close()
  }
}
