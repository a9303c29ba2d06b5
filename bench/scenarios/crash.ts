import { runVerify } from '../../scripts/verify.ts'
import { DEPLOYMENTS } from '../plan.ts'
import type { CrashRun } from '../results.ts'
import type { BenchContext } from './common.ts'

// crashScenario runs `npm run verify` (the invariant checker under SIGKILLs) once per
// deployment, one after the other on fresh data; a run that could not complete keeps its error
// and the other deployment still runs
export async function crashScenario(ctx: BenchContext): Promise<{ runs: CrashRun[] }> {
  const s = ctx.settings.crash
  const p = ctx.progress
  const runs: CrashRun[] = []
  for (const deployment of DEPLOYMENTS) {
    p.begin(`verify ${deployment}, ${s.durationS} s, a kill every ${s.killEveryS} s`)
    const t0 = performance.now()
    try {
      const result = await runVerify({
        deployment,
        durationS: s.durationS,
        killEveryS: s.killEveryS,
        seed: s.seed,
        clients: s.clients,
        users: s.users,
        settleS: s.settleS,
        // verify's own phase lines become the live line, not a log
        log: (m) => p.tick(m.replace(/^verify: /, '')),
      })
      const elapsedMs = performance.now() - t0
      runs.push({ deployment, elapsedMs, result })
      const c = result.counts
      p.end(
        `${c.acked ?? 0} acknowledged, ${c.kills ?? 0} kills, ` +
          `${result.violations === 0 ? 'held' : `${result.violations} violation(s)`} ` +
          `(${Math.round(elapsedMs / 1000)} s)`,
      )
    } catch (error) {
      const message = (error as Error).stack ?? String(error)
      runs.push({ deployment, elapsedMs: performance.now() - t0, result: null, error: message })
      p.end(`could not run: ${message.split('\n')[0]}`)
    }
  }
  return { runs }
}
