import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { socketDirIn } from '../../micro/config.ts'
import { replicaSockets, serviceNamed, topology } from '../../micro/topology.ts'
import { freePort } from '../../shared/testing/process.ts'
import { status } from '../api.ts'
import { openBreakerProbe } from '../breaker-probe.ts'
import { costLadder } from '../cost-ladder.ts'
import {
  dataDirFor,
  freePortBlock,
  type Running,
  startMicro,
  startMonolith,
  startTarget,
} from '../deploy.ts'
import { faultInjectionCost } from '../fault-cost.ts'
import { hopFloor } from '../hop-floor.ts'
import { GATEWAY_STEPS, gatewayLadder, HOP_STEPS, hopLadder } from '../hop-ladder.ts'
import type { RequestTemplate } from '../loadgen.ts'
import { startNginx } from '../nginx.ts'
import { alternate, limitRepeats } from '../plan.ts'
import {
  type LimitRatio,
  limitRatio,
  type RunRecord,
  summarise,
  type Unloaded,
} from '../results.ts'
import { type BenchContext, measureClosed, probe } from './common.ts'

// CELL_SERVERS are the servers measured on each cell of scenario 1, the reference (the limit)
// first
const CELL_SERVERS = [
  { cell: 'static JSON', servers: ['bun-static'] },
  { cell: 'SQLite point read', servers: ['hono-sqlite'] },
  { cell: 'GET /_/health', servers: ['monolith', 'micro'] },
  // the monolith beside its limit (the plain route), and the microservices beside theirs: the
  // same queries split over six processes with nothing but Bun.serve and fetch between them
  // (and beside the same route reading each page in one read transaction, as the monolith does)
  {
    cell: 'product page',
    servers: ['reference', 'reference-snapshot', 'monolith', 'bare-split', 'micro'],
  },
  { cell: 'reviews through a proxy', servers: ['nginx', 'bun-proxy', 'micro'] },
  // our storefront called directly beside a bare aggregator, both over our leaves
  { cell: 'aggregator over our leaves', servers: ['bare-aggregator', 'storefront'] },
] as const

// LEAF_PATHS are where the microservices' leaves answer the product page's parts
const LEAF_PATHS = {
  catalog: '/internal/catalog/products',
  pricing: '/internal/pricing/prices',
  reviews: '/internal/reviews/summary',
  inventory: '/internal/inventory/stock',
} as const

const productPaths = (n: number): RequestTemplate[] =>
  Array.from({ length: n }, (_, i) => ({
    method: 'GET' as const,
    path: `/api/products/p-${String(1 + ((i * 97) % 1000)).padStart(4, '0')}`,
  }))

// limitsScenario measures what this machine can do at all (a raw Bun server, one Hono route
// reading SQLite), and puts each deployment beside its own limit on the same data: the
// monolith's product page beside a plain Hono + bun:sqlite route running the same queries as
// prepared statements on the monolith's database file, and the gateway in front of the
// reviews service beside nginx (one worker, keep-alive 64, the service token added) in front
// of the same service. Without nginx that row is "not measured".
export async function limitsScenario(ctx: BenchContext) {
  const s = ctx.settings.limits
  const servers: Record<string, Running> = {}
  const notes: string[] = []
  // the bench knows the service token, so nginx can add it as the gateway does
  const serviceToken = `bench-${crypto.randomUUID()}`
  try {
    const monoDir = dataDirFor(ctx.workDir, 'limits-mono')
    const microDir = dataDirFor(ctx.workDir, 'limits-micro')
    const wants = (cell: string) => s.targets.includes(cell)
    const [bunStatic, honoSqlite, monolith, micro] = await Promise.all([
      wants('static JSON') ? startTarget('static', freePort()) : null,
      wants('SQLite point read')
        ? startTarget('point-read', freePort(), {
            DB_PATH: join(dataDirFor(ctx.workDir, 'point-read'), 'point-read.db'),
          })
        : null,
      startMonolith({ dataDir: monoDir, port: freePort(), reset: true }),
      startMicro({
        dataDir: microDir,
        base: freePortBlock(),
        reset: true,
        env: { TWINSTACK_SERVICE_TOKEN: serviceToken },
      }),
    ])
    if (bunStatic) servers['bun-static'] = bunStatic
    if (honoSqlite) servers['hono-sqlite'] = honoSqlite
    Object.assign(servers, { monolith, micro })
    // the reference reads the monolith's own file, once the monolith has seeded it
    const [reference, referenceSnapshot, bareSplit] = await Promise.all([
      startTarget('product-page', freePort(), { DB_PATH: join(monoDir, 'monolith.db') }),
      wants('product page')
        ? startTarget('product-page', freePort(), {
            DB_PATH: join(monoDir, 'monolith.db'),
            SNAPSHOT: '1',
          })
        : null,
      wants('product page')
        ? startTarget('bare-split', freePort(), { DB_PATH: join(monoDir, 'monolith.db') }, [
            '--role=gateway',
          ])
        : null,
    ])
    servers.reference = reference
    if (referenceSnapshot) servers['reference-snapshot'] = referenceSnapshot
    if (bareSplit) servers['bare-split'] = bareSplit
    // where the first replica of each service listens, as the gateway lists them
    const listed = (await status(micro.url, 3000))?.services ?? []
    const serviceUrl = (name: string) => listed.find((x) => x.name === name)?.url ?? null
    const reviews = serviceUrl('reviews')
    // where a service's first replica listens on a unix socket (micro/service.ts), which is
    // how the gateway and the storefront reach it: the references in front of our services go
    // the same way
    const socketOf = (name: string) => {
      const path = replicaSockets(serviceNamed(name, topology), socketDirIn(microDir))[0]
      return path && existsSync(path) ? path : ''
    }
    // the aggregator alone over our leaves: our storefront's first replica, called directly with
    // the service token (the whole micro tree is measured), beside a bare aggregator (Bun.serve
    // + fetch) calling the same leaves
    if (wants('aggregator over our leaves')) {
      const leaves = Object.keys(LEAF_PATHS).map(serviceUrl)
      const storefront = serviceUrl('storefront')
      if (storefront && leaves.every(Boolean)) {
        servers.storefront = { ...micro, url: storefront, stop: async () => {} }
        servers['bare-aggregator'] = await startTarget(
          'bare-split',
          freePort(),
          {
            ...Object.fromEntries(
              Object.entries(LEAF_PATHS).flatMap(([name, path], i) => [
                [`LEAF_${name.toUpperCase()}`, `${leaves[i]}${path}`],
                [`LEAF_${name.toUpperCase()}_SOCKET`, socketOf(name)],
              ]),
            ),
            SERVICE_TOKEN: serviceToken,
          },
          ['--role=storefront'],
        )
      } else notes.push('the microservices did not list their storefront and leaves')
    }
    const nginx = reviews
      ? await startNginx({
          dir: join(ctx.workDir, 'nginx'),
          port: freePort(),
          upstream: reviews,
          socket: socketOf('reviews') || undefined,
          headers: { 'X-Service-Token': serviceToken },
        }).catch((error: Error) => {
          notes.push(`nginx did not start: ${error.message.split('\n')[0]}`)
          return null
        })
      : null
    if (nginx) servers.nginx = nginx
    else if (!notes.length) notes.push('nginx is not installed: the proxy row is not measured')
    // the floor of any proxy written on Bun: Bun.serve + fetch, nothing else
    if (reviews) {
      servers['bun-proxy'] = await startTarget('proxy', freePort(), {
        UPSTREAM: reviews,
        UPSTREAM_SOCKET: socketOf('reviews'),
        SERVICE_TOKEN: serviceToken,
      })
    }

    const requests: Record<string, Record<string, RequestTemplate[]>> = {
      'static JSON': { 'bun-static': [{ method: 'GET', path: '/' }] },
      'SQLite point read': {
        'hono-sqlite': Array.from({ length: 100 }, (_, i) => ({
          method: 'GET' as const,
          path: `/products/p-${String(1 + ((i * 97) % 1000)).padStart(4, '0')}`,
        })),
      },
      'GET /_/health': {
        monolith: [{ method: 'GET', path: '/_/health' }],
        micro: [{ method: 'GET', path: '/_/health' }],
      },
      'product page': {
        reference: productPaths(200),
        'reference-snapshot': productPaths(200),
        monolith: productPaths(200),
        'bare-split': productPaths(200),
        micro: productPaths(200),
      },
      'aggregator over our leaves': {
        storefront: productPaths(200).map((t) => ({
          ...t,
          headers: { 'X-Service-Token': serviceToken },
        })),
        'bare-aggregator': productPaths(200),
      },
      'reviews through a proxy': {
        nginx: productPaths(200).map((t) => ({ ...t, path: `${t.path}/reviews` })),
        'bun-proxy': productPaths(200).map((t) => ({ ...t, path: `${t.path}/reviews` })),
        micro: productPaths(200).map((t) => ({ ...t, path: `${t.path}/reviews` })),
      },
    }
    const runs: RunRecord[] = []
    for (const { cell, servers: names } of CELL_SERVERS) {
      if (!s.targets.includes(cell)) continue
      const present = names.filter((n) => servers[n])
      for (const step of alternate([cell], present, limitRepeats(cell, s.repeats))) {
        const server = servers[step.deployment]!
        // nginx only forwards: the service behind it (in the micro tree) does the work, so its
        // CPU counts too and CPU per request compares with the gateway's
        // so does the bare aggregator's (its leaves are ours), and our storefront is measured
        // with the rest of its tree
        const measured =
          step.deployment === 'nginx' ||
          step.deployment === 'bun-proxy' ||
          step.deployment === 'bare-aggregator'
            ? [server, servers.micro!]
            : step.deployment === 'storefront'
              ? [servers.micro!]
              : [server]
        runs.push(
          await measureClosed(
            ctx,
            { scenario: 'limits', cell, deployment: step.deployment, repeat: step.repeat },
            { url: server.url, servers: measured },
            requests[cell]![step.deployment]!,
            {
              durationS: s.durationS,
              warmupS: step.repeat === 0 ? s.warmupS : 0,
              connections: s.connections,
            },
          ),
        )
      }
    }
    const ratios: LimitRatio[] = [
      limitRatio(runs, {
        id: 'monolith-product',
        label:
          'monolith product page ÷ Hono + bun:sqlite route (same queries, prepared, same data)',
        cell: 'product page',
        subject: 'monolith',
        limit: 'reference',
        target: { throughput: 0.7 },
      }),
      // the monolith reads its page in one read transaction, the reference above does not: the
      // same route doing so too leaves what the monolith's platform costs per request
      limitRatio(runs, {
        id: 'monolith-snapshot',
        label:
          'monolith product page ÷ the same route reading each page in one read transaction, as ' +
          "the monolith does: what the monolith's platform adds (routing, request context, auth " +
          'check, validation, metrics)',
        cell: 'product page',
        subject: 'monolith',
        limit: 'reference-snapshot',
        target: {},
      }),
      // what the split itself costs on this stack, and what our services add to it
      limitRatio(runs, {
        id: 'split-monolith',
        label:
          'bare split (the same queries in six processes, Bun.serve + fetch only) ÷ monolith: ' +
          'the ceiling of micro ÷ monolith on this stack',
        cell: 'product page',
        subject: 'bare-split',
        limit: 'monolith',
        target: {},
        explains: 'the target micro ÷ monolith ≥ 0.4× (section 2)',
      }),
      limitRatio(runs, {
        id: 'micro-split',
        label:
          'micro product page ÷ bare split: what our services add to the five hops (framework, ' +
          'auth, breakers, deadlines, telemetry)',
        cell: 'product page',
        subject: 'micro',
        limit: 'bare-split',
        target: {},
        explains: 'the rest of micro ÷ monolith',
      }),
      limitRatio(runs, {
        id: 'gateway-nginx',
        label: 'gateway ÷ nginx (1 worker, keep-alive 64), both in front of reviews',
        cell: 'reviews through a proxy',
        subject: 'micro',
        limit: 'nginx',
        target: { throughput: 0.9, p99: 1.3 },
      }),
      // what the stack allows: a bare Bun proxy beside nginx, and the gateway beside it
      limitRatio(runs, {
        id: 'bun-proxy-nginx',
        label: 'bare Bun proxy (Bun.serve + fetch) ÷ nginx: the ceiling of any gateway on Bun',
        cell: 'reviews through a proxy',
        subject: 'bun-proxy',
        limit: 'nginx',
        target: {},
      }),
      limitRatio(runs, {
        id: 'gateway-bun-proxy',
        label: 'gateway ÷ bare Bun proxy: what the gateway adds (auth, limits, breaker, trace)',
        cell: 'reviews through a proxy',
        subject: 'micro',
        limit: 'bun-proxy',
        target: {},
      }),
    ]
    for (const r of ratios) ctx.progress.note(limitLine(r))
    // one request at a time, nothing else in flight: the unloaded latency of each server of the
    // product page cell, so a hop's latency has its floor (the bare split) beside it
    const unloaded: Unloaded[] = []
    if (wants('product page')) {
      for (const name of CELL_SERVERS.find((c) => c.cell === 'product page')!.servers) {
        if (!servers[name]) continue
        ctx.progress.begin(`product page one request at a time · ${name}`)
        const pr = await probe(servers[name].url, productPaths(200), ctx.options.quick ? 40 : 400)
        unloaded.push({ server: name, p50Ms: pr.p50Ms, p99Ms: pr.p99Ms, hops: pr.hops })
        ctx.progress.end(`p50 ${pr.p50Ms?.toFixed(3)} ms, p99 ${pr.p99Ms?.toFixed(3)} ms`)
      }
    }
    // in this process, with the servers idle: fault injection armed with nothing vs built without
    ctx.progress.begin('fault injection, disarmed: in-process product pages, wrapped vs bare')
    const faultInjection = await faultInjectionCost(
      dataDirFor(ctx.workDir, 'fault-cost'),
      ctx.options.quick ? 200 : 1000,
      // 60 rounds: the round-by-round ratio varies by ±5 % on a shared VM, and the target is 2 %
      ctx.options.quick ? 4 : 60,
    )
    ctx.progress.end(
      `${faultInjection.wrappedUs?.toFixed(1)} vs ${faultInjection.bareUs?.toFixed(1)} µs per page: ` +
        `${((faultInjection.overhead ?? 0) * 100).toFixed(1)} % [target < 2 %]`,
    )
    // the floor of one hop: a bare fetch → Bun.serve round trip in this process, servers idle
    // over a unix socket, as the microservices' hops go, and over loopback TCP beside it
    ctx.progress.begin('one bare hop (fetch → Bun.serve, no framework): the floor of any hop')
    const calls = ctx.options.quick ? 4000 : 20_000
    const tcp = await hopFloor(calls, 16, 'tcp')
    const floor = { ...(await hopFloor(calls, 16, 'unix')), tcp }
    ctx.progress.end(
      `${floor.cpuUs?.toFixed(1)} µs CPU per round trip over a unix socket ` +
        `(${tcp.cpuUs?.toFixed(1)} over TCP), ${floor.latencyMs?.toFixed(3)} ms unloaded ` +
        `(${tcp.latencyMs?.toFixed(3)})`,
    )
    // where the monolith's product page spends its CPU, layer by layer, in this process
    ctx.progress.begin("the monolith's product page, layer by layer (CPU in process)")
    const ladder = await costLadder(
      dataDirFor(ctx.workDir, 'ladder'),
      ctx.options.quick ? 300 : 2000,
      ctx.options.quick ? 3 : 10,
    )
    ctx.progress.end(
      `raw ${ladder.rawUs?.toFixed(1)}, in one read transaction ${ladder.togetherUs?.toFixed(1)}, modules ${ladder.modulesUs?.toFixed(1)}, page ` +
        `${ladder.pageUs?.toFixed(1)}, app ${ladder.appUs?.toFixed(1)} µs`,
    )
    // where one internal hop of ours spends its CPU, layer by layer, in this process
    ctx.progress.begin('one internal hop of ours, layer by layer (CPU in process, unix socket)')
    const hops = await hopLadder(
      dataDirFor(ctx.workDir, 'hop-ladder'),
      ctx.options.quick ? 500 : 4000,
      ctx.options.quick ? 2 : 7,
    )
    ctx.progress.end(
      `${HOP_STEPS.map((s) => `${s} ${hops.steps[s]?.toFixed(1)}`).join(', ')} µs per call`,
    )
    // where our gateway spends its CPU on a forwarded request, layer by layer, in this process
    ctx.progress.begin('our gateway, layer by layer (CPU in process, unix sockets)')
    const gateway = await gatewayLadder(
      dataDirFor(ctx.workDir, 'gateway-ladder'),
      ctx.options.quick ? 500 : 4000,
      ctx.options.quick ? 2 : 7,
    )
    ctx.progress.end(
      `${GATEWAY_STEPS.map((s) => `${s} ${gateway.steps[s]?.toFixed(1)}`).join(', ')} µs per request`,
    )
    // last, as it stops reviews on the microservices: what meeting an open breaker costs a
    // request end to end, one at a time (scenario 3 has the same calls under the paced load)
    ctx.progress.begin('an open breaker, one request at a time · micro, reviews stopped')
    const openBreaker = await openBreakerProbe(micro.url, ctx.options.quick ? 40 : 400).catch(
      (error: Error) => {
        notes.push(`open breaker probe: ${error.message}`)
        return null
      },
    )
    ctx.progress.end(
      openBreaker
        ? openBreaker.probes
            .map((x) => `${x.endpoint} p50 ${x.p50Ms?.toFixed(2)} p99 ${x.p99Ms?.toFixed(2)} ms`)
            .join('; ')
        : 'not measured',
    )
    return {
      runs,
      summary: summarise(runs),
      ratios,
      unloaded,
      openBreaker,
      notes,
      faultInjection,
      hopFloor: floor,
      costLadder: ladder,
      hopLadder: hops,
      gatewayLadder: gateway,
    }
  } finally {
    await Promise.all(Object.values(servers).map((r) => r.stop()))
  }
}

// limitLine is one ratio to its limit as the progress display prints it
export function limitLine(r: LimitRatio): string {
  if (!r.measured) return `${r.label}: not measured`
  const x = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(2)}×`)
  const range = (v: [number, number] | null) =>
    v ? ` (${v[0].toFixed(2)}–${v[1].toFixed(2)})` : ''
  const t = r.target
  return (
    `${r.label}: ${x(r.throughput)}${range(r.throughputRange)}` +
    (t.throughput !== undefined ? ` [target ≥ ${t.throughput}×]` : '') +
    `, p99 ${x(r.p99)}${range(r.p99Range)}` +
    (t.p99 !== undefined ? ` [target ≤ ${t.p99}×]` : '')
  )
}
