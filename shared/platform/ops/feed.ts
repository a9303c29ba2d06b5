import type { ChaosEvent } from '../chaos.ts'
import type { BreakerBoard } from '../http/breakers.ts'
import type { FeedEvent } from '../http/dashboard.ts'

// FeedLog keeps the last `max` feed events of one process
export class FeedLog {
  readonly events: FeedEvent[] = []

  constructor(private readonly max = 50) {}

  push(event: FeedEvent): void {
    this.events.push(event)
    if (this.events.length > this.max) this.events.shift()
  }
}

// breakerFeed records every transition of a process's breakers as a feed event
export function breakerFeed(board: BreakerBoard, log = new FeedLog()): FeedLog {
  board.onTransition((v) =>
    log.push({
      at: v.changedAt ?? new Date().toISOString(),
      kind: `breaker ${v.state}`,
      source: `${v.from} -> ${v.to}`,
      // a closing breaker has just forgotten its failures
      detail: v.state === 'closed' ? '' : `after ${v.failures} failures`,
    }),
  )
  return log
}

// chaosFeed turns a fault board's events into feed events
export const chaosFeed = (events: readonly ChaosEvent[]): FeedEvent[] =>
  events.map((e) => ({ at: e.at, kind: `chaos ${e.kind}`, source: e.target, detail: e.detail }))

// latestFeed merges feed events oldest first and keeps the last `max`
export const latestFeed = (events: FeedEvent[], max = 50): FeedEvent[] =>
  events.sort((a, b) => a.at.localeCompare(b.at)).slice(-max)
