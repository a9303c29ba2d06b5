import { freePort } from '../../shared/testing/process.ts'
import { prepareActors, referenceData } from '../actors.ts'
import { dataDirFor, freePortBlock, type Running, startMicro, startMonolith } from '../deploy.ts'
import { alternate, DEPLOYMENTS, type Deployment, type EndpointId, endpointLabel } from '../plan.ts'
import {
  type CellSummary,
  type EndpointRatio,
  find,
  limitRatio,
  type Probe,
  type RunRecord,
  summarise,
} from '../results.ts'
import { ratio } from '../stats.ts'
import type { Actors } from '../workload.ts'
import { templates } from '../workload.ts'
import { type BenchContext, fmtMs, measureClosed, probe } from './common.ts'

// templatesPerEndpoint: checkouts spread over most products so no product runs dry
const COUNT: Partial<Record<EndpointId, number>> = { checkout: 2048 }

// endpointRatios compares the deployments endpoint by endpoint (micro / monolith) and derives
// what one internal hop costs: the unloaded latency and the CPU the micro deployment adds,
// divided by the hops the request took
export function endpointRatios(summary: CellSummary[], probes: Probe[]): EndpointRatio[] {
  const endpoints = [...new Set(summary.map((s) => s.cell))]
  return endpoints.map((endpoint) => {
    const mono = find(summary, endpoint, 'monolith')
    const micro = find(summary, endpoint, 'micro')
    const pMono = probes.find((p) => p.endpoint === endpoint && p.deployment === 'monolith')
    const pMicro = probes.find((p) => p.endpoint === endpoint && p.deployment === 'micro')
    const hops = pMicro?.hops ?? null
    const perHop = (a: number | null | undefined, b: number | null | undefined) =>
      hops && a !== null && a !== undefined && b !== null && b !== undefined ? (a - b) / hops : null
    return {
      endpoint,
      throughput: ratio(micro?.rps, mono?.rps),
      p50: ratio(micro?.p50, mono?.p50),
      p99: ratio(micro?.p99, mono?.p99),
      cpuPerRequest: ratio(micro?.cpuUsPerRequest, mono?.cpuUsPerRequest),
      latencyPerHopMs: perHop(pMicro?.p50Ms, pMono?.p50Ms),
      cpuPerHopUs: perHop(micro?.cpuUsPerRequest, mono?.cpuUsPerRequest),
    }
  })
}

// endpointsScenario measures each public endpoint on both deployments: a probe (one request at
// a time: latency, hops, internal bytes), then closed-loop runs alternating A B A B
export async function endpointsScenario(ctx: BenchContext) {
  const s = ctx.settings.endpoints
  const p = ctx.progress
  const servers: Partial<Record<Deployment, Running>> = {}
  try {
    p.begin('starting both deployments')
    const [monolith, micro] = await Promise.all([
      startMonolith({
        dataDir: dataDirFor(ctx.workDir, 'endpoints-mono'),
        port: freePort(),
        reset: true,
      }),
      startMicro({
        dataDir: dataDirFor(ctx.workDir, 'endpoints-micro'),
        base: freePortBlock(),
        reset: true,
      }),
    ])
    servers.monolith = monolith
    servers.micro = micro
    p.begin('logging in demo users, placing orders')
    const ref = await referenceData(monolith.url)
    const users = ctx.options.quick ? 10 : 40
    const actors: Record<Deployment, Actors> = {
      monolith: await prepareActors(monolith.url, ref, { users, orders: 20 }),
      micro: await prepareActors(micro.url, ref, { users, orders: 20 }),
    }
    p.end(`${users} users, ${actors.monolith.orderIds.length} orders each`)

    const runs: RunRecord[] = []
    const probes: Probe[] = []
    for (const endpoint of s.endpoints) {
      const label = endpointLabel(endpoint)
      const reqs = (d: Deployment) => templates(endpoint, actors[d], COUNT[endpoint] ?? 256)
      for (const step of alternate([label], DEPLOYMENTS, s.repeats)) {
        const server = servers[step.deployment]!
        runs.push(
          await measureClosed(
            ctx,
            {
              scenario: 'endpoints',
              cell: label,
              deployment: step.deployment,
              repeat: step.repeat,
            },
            { url: server.url, servers: [server] },
            reqs(step.deployment),
            {
              durationS: s.durationS,
              warmupS: step.repeat === 0 ? s.warmupS : 0,
              connections: s.connections,
            },
          ),
        )
      }
      // one request at a time once the endpoint's code is warm (after its closed-loop runs): a
      // probe of freshly started processes timed their JIT's first passes, several ms a hop
      for (const d of DEPLOYMENTS) {
        p.begin(`${label} · ${d} probe`)
        const pr = await probe(servers[d]!.url, reqs(d), s.probeRequests)
        probes.push({ endpoint: label, deployment: d, ...pr })
        p.end(
          `one at a time: ${fmtMs(pr.p50Ms)}, hops ${pr.hops ?? 'n/a'}, internal bytes ${pr.internalBytes ?? 'n/a'}`,
        )
      }
    }
    const summary = summarise(runs)
    const ratios = endpointRatios(summary, probes)
    // the product page's target: micro at least 0.40× the monolith, p99 at most 3×
    const targets = [
      limitRatio(runs, {
        id: 'micro-product',
        label: 'micro product page ÷ monolith product page',
        cell: 'product page',
        subject: 'micro',
        limit: 'monolith',
        target: { throughput: 0.4, p99: 3 },
      }),
    ]
    return { runs, summary, probes, ratios, targets }
  } finally {
    await Promise.all(Object.values(servers).map((r) => r.stop()))
  }
}
