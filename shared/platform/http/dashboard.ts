import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { QueueStat } from '../bus/transport.ts'
import type { Fault } from '../chaos.ts'
import type { WindowStats } from '../window.ts'
import type { BreakerView } from './breakers.ts'
import type { AppEnv } from './env.ts'

// ProcessView is one OS process of the deployment
export interface ProcessView {
  name: string
  replica: number
  pid: number | null
  url: string
  state: 'starting' | 'up' | 'down' | 'stopped'
  restarts: number
  rssBytes: number
}

// FeedEvent is one line of the dashboard's feed: a kill, a breaker transition, a restart…
export interface FeedEvent {
  at: string
  kind: string
  source: string
  detail: string
}

// DashboardSnapshot is what the dashboard shows, pushed once a second over server-sent events
export interface DashboardSnapshot {
  deployment: 'monolith' | 'micro'
  at: string
  // the targets chaos and the figures are about: services (micro) or modules (monolith)
  targets: (WindowStats & {
    state: ProcessView['state'] | 'crash-armed'
    kind: 'service' | 'module'
  })[]
  processes: ProcessView[]
  breakers: BreakerView[]
  queues: QueueStat[]
  faults: { faults: Record<string, Fault>; partitions: string[] }
  events: FeedEvent[]
}

// streams are the open dashboard streams, each with the function that ends it
const streams = new Set<() => void>()

// DeadLetterWatch turns growth of dead-letter counts into feed events (one per topic and
// snapshot), since a dead letter happens in whichever process consumed the message
export class DeadLetterWatch {
  private readonly seen = new Map<string, number>()
  readonly events: FeedEvent[] = []

  observe(queues: QueueStat[], at = new Date().toISOString()): QueueStat[] {
    for (const q of queues) {
      const before = this.seen.get(q.topic)
      if (before !== undefined && q.deadLettered > before) {
        const n = q.deadLettered - before
        this.events.push({
          at,
          kind: 'dead-lettered',
          source: q.topic,
          detail: `${n} message${n > 1 ? 's' : ''} given up on`,
        })
        if (this.events.length > 50) this.events.shift()
      }
      this.seen.set(q.topic, q.deadLettered)
    }
    return queues
  }
}

// endDashboardStreams ends every open dashboard stream: a graceful stop waits for in-flight
// requests, and a stream left open would never let it finish
export function endDashboardStreams(): void {
  for (const end of [...streams]) end()
}

// dashboardStream serves GET /_/dashboard/stream: a snapshot now, then one per interval
export function dashboardStream(snapshot: () => Promise<DashboardSnapshot>, intervalMs = 1000) {
  return new Hono<AppEnv>().get('/_/dashboard/stream', (c) =>
    streamSSE(c, async (stream) => {
      let open = true
      let wake = () => {}
      const end = () => {
        open = false
        wake()
      }
      streams.add(end)
      stream.onAbort(end)
      try {
        while (open) {
          await stream.writeSSE({ event: 'snapshot', data: JSON.stringify(await snapshot()) })
          await new Promise<void>((resolve) => {
            wake = resolve
            setTimeout(resolve, intervalMs)
          })
        }
      } finally {
        streams.delete(end)
      }
    }),
  )
}
