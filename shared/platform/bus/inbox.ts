import { and, eq } from 'drizzle-orm'
import type { IntegrationEvent } from '../../contracts/events.ts'
import { type Db, type Tx, write } from '../db/index.ts'
import { deadLetters, inbox } from './schema.ts'

// Handler applies one event inside the consumer's write transaction; it must be synchronous
export type Handler = (tx: Tx, event: IntegrationEvent) => void

// inboxed makes a handler idempotent: the event id is recorded with the effect, in one
// transaction, so a redelivered event is skipped and a crash mid-way leaves no half effect
export function inboxed(db: Db, consumer: string, handler: Handler) {
  return function handleOnce(event: IntegrationEvent): void {
    write(db, (tx) => {
      const seen = tx
        .select({ id: inbox.eventId })
        .from(inbox)
        .where(and(eq(inbox.consumer, consumer), eq(inbox.eventId, event.id)))
        .get()
      if (seen) return
      handler(tx, event)
      tx.insert(inbox).values({ consumer, eventId: event.id, handledAt: Date.now() }).run()
    })
  }
}

// recordDeadLetter keeps an event a consumer gave up on
export function recordDeadLetter(
  db: Db,
  consumer: string,
  event: IntegrationEvent,
  error: unknown,
  attempts: number,
): void {
  write(db, (tx) =>
    tx
      .insert(deadLetters)
      .values({
        consumer,
        eventId: event.id,
        topic: event.topic,
        type: event.type,
        event: JSON.stringify(event),
        error: error instanceof Error ? error.message : String(error),
        attempts,
        failedAt: Date.now(),
      })
      .run(),
  )
}
