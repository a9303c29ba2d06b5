import type { IntegrationEvent } from '../../contracts/events.ts'

// Subscription is one consumer group's interest in a topic; handle throws to ask for a retry
export interface Subscription {
  topic: string
  group: string
  handle(event: IntegrationEvent): void | Promise<void>
}

// QueueStat is what /_/status shows per topic
export interface QueueStat {
  topic: string
  pending: number
  deadLettered: number
  oldestPendingMs: number | null
}

// Transport moves events between modules; publish resolves once the events are durably accepted
export interface Transport {
  readonly name: string
  // inline transports run the consumers inside publish (mitt): a process that dies while
  // publishing died in a consumer, so the relay counts such deliveries itself
  readonly inline?: boolean
  publish(events: IntegrationEvent[]): Promise<void>
  subscribe(subscription: Subscription): void
  stats(): QueueStat[]
  close(): Promise<void>
}

// RetryPolicy says how often a failing handler is tried before its event is dead-lettered
export interface RetryPolicy {
  maxAttempts: number
  baseDelayMs: number
}

export const defaultRetry: RetryPolicy = { maxAttempts: 5, baseDelayMs: 50 }

// backoffMs is exponential with full jitter, so retries from many consumers spread out
export const backoffMs = (policy: RetryPolicy, attempt: number) =>
  Math.round(Math.random() * policy.baseDelayMs * 2 ** (attempt - 1))
