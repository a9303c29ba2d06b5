import { join } from 'node:path'
import { freePort } from '../../shared/testing/process.ts'
import {
  dataDirFor,
  freePortBlock,
  type Running,
  startMicro,
  startMonolith,
  startTarget,
} from '../deploy.ts'
import type { RequestTemplate } from '../loadgen.ts'
import { alternate, LIMIT_TARGETS } from '../plan.ts'
import { type RunRecord, summarise } from '../results.ts'
import { type BenchContext, measureClosed } from './common.ts'

const CELL: Record<string, string> = {
  'bun-static': 'static JSON',
  'hono-sqlite': 'SQLite point read',
  monolith: 'GET /_/health',
  micro: 'GET /_/health',
}

// limitsScenario measures what this machine can do at all (a raw Bun server, one Hono route
// reading SQLite) beside the cheapest route of each deployment, in one run, so every other
// figure can be read as a share of these
export async function limitsScenario(ctx: BenchContext) {
  const s = ctx.settings.limits
  const servers: Record<string, Running> = {}
  try {
    const [bunStatic, honoSqlite, monolith, micro] = await Promise.all([
      startTarget('static', freePort()),
      startTarget('point-read', freePort(), {
        DB_PATH: join(dataDirFor(ctx.workDir, 'point-read'), 'point-read.db'),
      }),
      startMonolith({
        dataDir: dataDirFor(ctx.workDir, 'limits-mono'),
        port: freePort(),
        reset: true,
      }),
      startMicro({
        dataDir: dataDirFor(ctx.workDir, 'limits-micro'),
        base: freePortBlock(),
        reset: true,
      }),
    ])
    Object.assign(servers, {
      'bun-static': bunStatic,
      'hono-sqlite': honoSqlite,
      monolith,
      micro,
    })
    const requests: Record<string, RequestTemplate[]> = {
      'bun-static': [{ method: 'GET', path: '/' }],
      'hono-sqlite': Array.from({ length: 100 }, (_, i) => ({
        method: 'GET' as const,
        path: `/products/p-${String(1 + ((i * 97) % 1000)).padStart(4, '0')}`,
      })),
      monolith: [{ method: 'GET', path: '/_/health' }],
      micro: [{ method: 'GET', path: '/_/health' }],
    }
    const runs: RunRecord[] = []
    const targets = LIMIT_TARGETS.map((t) => t.id).filter((t) => s.targets.includes(t))
    for (const step of alternate(['limits'], targets, s.repeats)) {
      const server = servers[step.deployment]!
      runs.push(
        await measureClosed(
          ctx,
          {
            scenario: 'limits',
            cell: CELL[step.deployment]!,
            deployment: step.deployment,
            repeat: step.repeat,
          },
          { url: server.url, servers: [server] },
          requests[step.deployment]!,
          {
            durationS: s.durationS,
            warmupS: step.repeat === 0 ? s.warmupS : 0,
            connections: s.connections,
          },
        ),
      )
    }
    return { runs, summary: summarise(runs) }
  } finally {
    await Promise.all(Object.values(servers).map((r) => r.stop()))
  }
}
