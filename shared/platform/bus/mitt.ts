import mitt from 'mitt'
import type { IntegrationEvent } from '../../contracts/events.ts'
import { sleep } from '../runtime.ts'
import {
  backoffMs,
  defaultRetry,
  type QueueStat,
  type RetryPolicy,
  type Subscription,
  type Transport,
} from './transport.ts'

type Delivery = { event: IntegrationEvent; settled: Promise<void>[] }

// mittTransport delivers events in-process; publish resolves once every consumer has applied
// (or dead-lettered) the event, which is what lets the relay mark outbox rows sent
export function mittTransport(opts: {
  retry?: RetryPolicy
  onDeadLetter(group: string, event: IntegrationEvent, error: unknown, attempts: number): void
  log?: (msg: string) => void
}): Transport & { deadLettered: Map<string, number> } {
  const retry = opts.retry ?? defaultRetry
  const emitter = mitt<Record<string, Delivery>>()
  const deadLettered = new Map<string, number>()

  async function deliver(sub: Subscription, event: IntegrationEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await sub.handle(event)
        return
      } catch (error) {
        if (attempt >= retry.maxAttempts) {
          opts.log?.(`dead-letter ${sub.group} ${event.type} ${event.id}: ${String(error)}`)
          deadLettered.set(event.topic, (deadLettered.get(event.topic) ?? 0) + 1)
          try {
            opts.onDeadLetter(sub.group, event, error, attempt)
          } catch (e) {
            opts.log?.(`dead-letter store failed: ${String(e)}`)
          }
          return
        }
        await sleep(backoffMs(retry, attempt))
      }
    }
  }

  return {
    name: 'mitt',
    inline: true,
    deadLettered,
    async publish(events) {
      for (const event of events) {
        const delivery: Delivery = { event, settled: [] }
        emitter.emit(event.topic, delivery)
        await Promise.all(delivery.settled)
      }
    },
    subscribe(sub) {
      // the handler only starts a promise that never rejects: a rejecting mitt handler crashes Bun
      emitter.on(sub.topic, (d) => {
        d.settled.push(deliver(sub, d.event))
      })
    },
    stats(): QueueStat[] {
      return [...deadLettered].map(([topic, n]) => ({
        topic,
        pending: 0,
        deadLettered: n,
        oldestPendingMs: null,
      }))
    },
    async close() {
      emitter.all.clear()
    },
  }
}
