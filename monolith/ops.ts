import { outboxQueueStats } from '../shared/platform/bus/status.ts'
import { type OpsSource, thisProcess } from '../shared/platform/ops/app.ts'
import { localFaults } from '../shared/platform/ops/chaos.ts'
import { chaosFeed } from '../shared/platform/ops/feed.ts'
import type { Telemetry } from '../shared/platform/telemetry.ts'
import { mergeStats } from '../shared/platform/window.ts'
import type { Monolith } from './wire.ts'

// monolithOps is the monolith as the operations app sees it: one process whose targets are
// its modules, faults on its own board, no process control (a crash fault takes it down)
export function monolithOps(wired: Monolith, telemetry: Telemetry, url: string): OpsSource {
  const names = wired.modules.map((m) => m.name)
  const known = new Set(names)
  // the keeper says how often it restarted us and why the last process ended
  const restarts = Number(process.env.TWINSTACK_RESTARTS ?? 0)
  const lastExit = process.env.TWINSTACK_LAST_EXIT ?? ''
  const startedAt = new Date().toISOString()
  const restarted = lastExit
    ? [{ at: startedAt, kind: 'restarted', source: 'monolith', detail: `after ${lastExit}` }]
    : []
  return {
    deployment: 'monolith',
    faults: localFaults(wired.faults, (target) => known.has(target)),
    async look() {
      const faults = wired.faults.snapshot()
      return {
        processes: [
          {
            ...thisProcess(),
            name: 'monolith',
            replica: 0,
            modules: names,
            url,
            state: 'up',
            healthy: true,
            restarts,
          },
        ],
        breakers: [],
        queues: outboxQueueStats(wired.database.db),
        targets: () => {
          const stats = new Map(telemetry.window.snapshot().map((s) => [s.target, s]))
          return names.map((name) => ({
            ...(stats.get(name) ?? mergeStats(name, [])),
            kind: 'module' as const,
            state: faults.faults[name]?.crash ? ('crash-armed' as const) : ('up' as const),
          }))
        },
        faults,
        events: [...restarted, ...chaosFeed(wired.faults.events.slice(-50))],
      }
    },
  }
}
