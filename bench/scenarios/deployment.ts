import { freePort } from '../../shared/testing/process.ts'
import { prepareActors, referenceData } from '../actors.ts'
import { ADMIN, control, login } from '../api.ts'
import {
  dataDirFor,
  freePortBlock,
  ownRoots,
  type Running,
  startMicro,
  startMonolith,
} from '../deploy.ts'

import { runPaced } from '../load.ts'
import { type DeployRun, saturatedSteady } from '../results.ts'
import { failedRequests, timeline, unavailableSeconds } from '../stats.ts'
import type { Actors } from '../workload.ts'
import { calibrate } from './calibrate.ts'
import { type BenchContext, pacedFlags } from './common.ts'
import { bucketed, pacedStreams } from './failure.ts'

// Fleet is one deployment under test with the way to redeploy it
interface Fleet {
  name: string
  method: string
  url: string
  actors: Actors
  servers: () => Running[]
  redeploy: (target: string) => Promise<void>
  stop: () => Promise<void>
}

async function monolithFleet(ctx: BenchContext, processes: 1 | 2): Promise<Fleet> {
  const dataDir = dataDirFor(ctx.workDir, `deploy-mono${processes}`)
  const port = freePort()
  const reusePort = processes > 1
  const procs: Running[] = []
  for (let i = 0; i < processes; i++) {
    procs.push(
      await startMonolith({ dataDir, port, reset: i === 0, reusePort, label: `monolith#${i}` }),
    )
  }
  const url = procs[0]!.url
  const ref = await referenceData(url)
  const actors = await prepareActors(url, ref, { users: ctx.options.quick ? 10 : 30, orders: 5 })
  return {
    name: processes === 1 ? 'monolith' : 'monolith ×2',
    method:
      processes === 1
        ? 'SIGTERM (drain, close) then start a new process on the same port and data'
        : 'rolling: two processes share the port (SO_REUSEPORT); replace one, then the other',
    url,
    actors,
    servers: () => procs,
    async redeploy() {
      for (let i = 0; i < procs.length; i++) {
        await procs[i]!.stop()
        procs[i] = await startMonolith({ dataDir, port, reusePort, label: `monolith#${i}` })
      }
    },
    stop: async () => {
      await Promise.all(procs.map((p) => p.stop()))
    },
  }
}

async function microFleet(ctx: BenchContext): Promise<Fleet> {
  const server = await startMicro({
    dataDir: dataDirFor(ctx.workDir, 'deploy-micro'),
    base: freePortBlock(),
    reset: true,
  })
  const ref = await referenceData(server.url)
  const actors = await prepareActors(server.url, ref, {
    users: ctx.options.quick ? 10 : 30,
    orders: 5,
  })
  const admin = (await login(server.url, ADMIN)).token
  return {
    name: 'micro',
    method: 'supervisor rolling restart: replica by replica, each waited healthy',
    url: server.url,
    actors,
    servers: () => [server],
    redeploy: async (target) => {
      await control(server.url, admin, 'restart', target)
    },
    stop: () => server.stop(),
  }
}

// deploymentScenario redeploys under a steady mixed load: one service of the microservices
// (a rolling restart of its replicas) against a restart of the whole monolith (and, in full
// runs, a rolling restart of two monolith processes sharing the port); figures are failed
// requests and seconds of unavailability per endpoint
export async function deploymentScenario(ctx: BenchContext) {
  const d = ctx.settings.deployment
  const p = ctx.progress
  const fleets: Fleet[] = []
  try {
    const calibration = await calibrate(ctx)
    const rate = calibration.ratePerEndpoint
    p.begin('starting the deployments')
    fleets.push(await monolithFleet(ctx, 1), await microFleet(ctx))
    if (!ctx.options.quick) fleets.push(await monolithFleet(ctx, 2))
    const runs: DeployRun[] = []
    for (const target of d.targets) {
      for (let repeat = 0; repeat < d.repeats; repeat++) {
        for (const fleet of fleets) {
          const what = fleet.name === 'micro' ? target : 'the whole application'
          p.begin(`redeploy ${what} · ${fleet.name} #${repeat + 1}`)
          const durationS = d.steadyS + d.budgetS + d.afterS
          let t0 = 0
          let redeployAtMs: number | null = null
          let redeployMs: number | null = null
          let script: Promise<void> = Promise.resolve()
          const run = await runPaced(
            {
              engine: 'paced',
              durationS,
              streams: pacedStreams(fleet.url, fleet.actors, rate),
              timeoutMs: 3000,
            },
            {
              serverRoots: fleet.servers().map((s) => s.proc.pid),
              ownRoots,
              onStart: (epoch) => {
                t0 = epoch
                script = (async () => {
                  await Bun.sleep(d.steadyS * 1000)
                  redeployAtMs = Date.now() - t0
                  await fleet.redeploy(target)
                  redeployMs = Date.now() - t0 - redeployAtMs
                })()
              },
              onMessage: (m) => {
                if (m.type === 'tick') p.tick(`t=${Math.round(m.t / 1000)} s`)
              },
            },
          )
          await script
          const spanMs = durationS * 1000
          const from = redeployAtMs ?? 0
          const endpoints = run.output.streams.map((s) => {
            const after = s.records
              .filter((r) => r[0] >= from)
              .map((r) => [r[0] - from, r[1], r[2]] as [number, number, number])
            return {
              name: s.name,
              requests: s.records.length,
              failed: failedRequests(s.records, { from, to: spanMs }),
              unavailableS: unavailableSeconds(timeline(after, d.bucketMs, spanMs - from)),
            }
          })
          const failed = endpoints.reduce((n, e) => n + e.failed, 0)
          p.end(
            `redeploy took ${redeployMs ?? 'n/a'} ms, ${failed} failed requests, ` +
              `worst ${Math.max(...endpoints.map((e) => e.unavailableS))} s unavailable`,
          )
          const flags = pacedFlags(ctx, run, null)
          const saturated = saturatedSteady(run.output.streams, { from: 0, to: from }, flags)
          if (saturated) p.note(`${fleet.name}: saturated before the redeploy, no verdict`)
          runs.push({
            target,
            deployment: fleet.name,
            repeat,
            method: fleet.method,
            durationMs: spanMs,
            redeployAtMs,
            redeployMs,
            timeline: bucketed(run, d.bucketMs, spanMs),
            endpoints,
            ratePerEndpoint: rate,
            saturated,
            generatorCores: run.generatorCores,
            flags,
          })
        }
      }
    }
    return { runs, calibration }
  } finally {
    await Promise.all(fleets.map((f) => f.stop()))
  }
}
