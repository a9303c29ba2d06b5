import { lt, sql } from 'drizzle-orm'
import type { IntegrationEvent } from '../../contracts/events.ts'
import { type Db, type Tx, write } from '../db/index.ts'
import { deadLetters, inbox } from './schema.ts'

// Handler applies one event inside the consumer's write transaction; it must be synchronous
export type Handler = (tx: Tx, event: IntegrationEvent) => void

// inboxed makes a handler idempotent: the event id is recorded with the effect, in one
// transaction, so a redelivered event is skipped and a crash mid-way leaves no half effect
export function inboxed(db: Db, consumer: string, handler: Handler) {
  // one prepared statement claims the event id: no row inserted means it was handled before
  // (prepared once: drizzle would otherwise build and prepare the SQL on every event)
  const claim = db
    .insert(inbox)
    .values({
      consumer,
      eventId: sql.placeholder('eventId'),
      handledAt: sql.placeholder('handledAt'),
    })
    .onConflictDoNothing()
    .returning({ id: inbox.eventId })
    .prepare()
  return function handleOnce(event: IntegrationEvent): void {
    write(db, (tx) => {
      if (claim.all({ eventId: event.id, handledAt: Date.now() }).length === 0) return
      // a handler that throws rolls the claim back with its own effects
      handler(tx, event)
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

// pruneInbox forgets events handled before a time (longer ago than any redelivery can come);
// returns how many
export function pruneInbox(db: Db, handledBefore: number, limit = 5000): number {
  return write(
    db,
    (tx) =>
      tx.run(
        sql`DELETE FROM inbox WHERE rowid IN (SELECT rowid FROM inbox WHERE ${lt(inbox.handledAt, handledBefore)} LIMIT ${limit})`,
      ).changes as number,
  )
}
