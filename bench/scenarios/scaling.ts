import { freePort } from '../../shared/testing/process.ts'
import { dataDirFor, freePortBlock, type Running, startMicro, startMonolith } from '../deploy.ts'
import { alternate } from '../plan.ts'
import { type RunRecord, summarise } from '../results.ts'
import { templates } from '../workload.ts'
import { type BenchContext, measureClosed } from './common.ts'

// the hot read path: the product page, served by storefront (micro) or the monolith
const HOT = 'storefront'

// scalingScenario measures the product page with its service at 1 and 2 replicas against the
// monolith at 1 and 2 processes sharing the port (SO_REUSEPORT), with CPU and memory of each
export async function scalingScenario(ctx: BenchContext) {
  const s = ctx.settings.scaling
  const p = ctx.progress
  const runs: RunRecord[] = []
  // anonymous product pages need no actors, only product ids
  const requests = templates('product', {
    users: [],
    admin: '',
    orderIds: [],
    searchTerms: [],
    stock: [],
  })
  for (const count of s.counts) {
    const started: Running[] = []
    try {
      p.begin(`starting monolith ×${count} and micro with ${HOT} ×${count}`)
      const dataDir = dataDirFor(ctx.workDir, `scaling-mono${count}`)
      const port = freePort()
      const monoliths: Running[] = []
      for (let i = 0; i < count; i++) {
        const m = await startMonolith({
          dataDir,
          port,
          reset: i === 0,
          reusePort: true,
          label: `monolith#${i}`,
        })
        monoliths.push(m)
        started.push(m)
      }
      const micro = await startMicro({
        dataDir: dataDirFor(ctx.workDir, `scaling-micro${count}`),
        base: freePortBlock(),
        reset: true,
        replicas: `${HOT}=${count}`,
      })
      started.push(micro)
      const cell = `×${count}`
      const targets = {
        monolith: { url: monoliths[0]!.url, servers: monoliths },
        micro: { url: micro.url, servers: [micro] },
      }
      for (const step of alternate([cell], ['monolith', 'micro'] as const, s.repeats)) {
        runs.push(
          await measureClosed(
            ctx,
            { scenario: 'scaling', cell, deployment: step.deployment, repeat: step.repeat },
            targets[step.deployment],
            requests,
            {
              durationS: s.durationS,
              warmupS: step.repeat === 0 ? s.warmupS : 0,
              connections: s.connections,
            },
          ),
        )
      }
    } finally {
      await Promise.all(started.map((r) => r.stop()))
    }
  }
  return { runs, summary: summarise(runs) }
}
