import { randomUUID } from 'node:crypto'
import { and, asc, count, inArray, isNotNull, isNull, lt, max, min, sql } from 'drizzle-orm'
import type { IntegrationEvent } from '../../contracts/events.ts'
import { type Db, nowIso, type Tx, write } from '../db/index.ts'
import { currentTrace } from '../http/trace.ts'
import { outbox } from './schema.ts'

// Outbox is what a module publishes with: add() inside its own write transaction
export interface Outbox {
  add(tx: Tx, topic: string, type: string, data: unknown, traceId?: string): IntegrationEvent
}

// sqliteOutbox writes events to the outbox table of the module's database and wakes the relay
export function sqliteOutbox(source: string, onAdd: () => void = () => {}): Outbox {
  return {
    add(tx, topic, type, data, traceId) {
      const event: IntegrationEvent = {
        id: randomUUID(),
        topic,
        type,
        occurredAt: nowIso(),
        source,
        traceId: traceId ?? currentTrace()?.traceId ?? randomUUID().replaceAll('-', ''),
        data,
      }
      tx.insert(outbox)
        .values({ ...event, data: JSON.stringify(data), sentAt: null })
        .run()
      // the transaction is synchronous, so by the time the relay runs it has committed
      setImmediate(onAdd)
      return event
    },
  }
}

// statements are prepared once per database: the relay runs them for every batch
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>()
function prepare(db: Db) {
  return {
    unsent: db
      .select()
      .from(outbox)
      .where(isNull(outbox.sentAt))
      .orderBy(asc(outbox.position))
      .limit(sql.placeholder('limit'))
      .prepare(),
  }
}
const statements = (db: Db) => {
  let s = prepared.get(db)
  if (!s) {
    s = prepare(db)
    prepared.set(db, s)
  }
  return s
}

// UnsentEvent is an outbox row the transport has not accepted yet
export type UnsentEvent = IntegrationEvent & { position: number; attempts: number }

// unsent reads the oldest events the transport has not accepted yet
export function unsent(db: Db, limit: number): UnsentEvent[] {
  return statements(db)
    .unsent.all({ limit })
    .map(({ sentAt: _s, ...r }) => ({ ...r, data: JSON.parse(r.data) as unknown }))
}

// lastUnsentPosition is the newest position not yet accepted by the transport (0 when none)
export function lastUnsentPosition(db: Db): number {
  return (
    db
      .select({ p: max(outbox.position) })
      .from(outbox)
      .where(isNull(outbox.sentAt))
      .get()?.p ?? 0
  )
}

// countAttempt records, before an inline transport runs the consumers, that these events are
// being delivered once more
export function countAttempt(db: Db, positions: number[]): void {
  if (positions.length === 0) return
  write(db, (tx) => {
    tx.update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1` })
      .where(sql`${outbox.position} in ${positions}`)
      .run()
  })
}

// pruneOutbox deletes events the transport accepted before a time; returns how many
export function pruneOutbox(db: Db, sentBefore: number, limit = 5000): number {
  return write(db, (tx) => {
    const old = tx
      .select({ position: outbox.position })
      .from(outbox)
      .where(and(isNotNull(outbox.sentAt), lt(outbox.sentAt, sentBefore)))
      .limit(limit)
    return tx.delete(outbox).where(inArray(outbox.position, old)).run().changes as number
  })
}

// markSent records that the transport durably accepted these events
export function markSent(db: Db, positions: number[]): void {
  if (positions.length === 0) return
  write(db, (tx) => {
    tx.update(outbox)
      .set({ sentAt: Date.now() })
      .where(sql`${outbox.position} in ${positions}`)
      .run()
  })
}

// outboxBacklog tells how many events wait per topic and how old the oldest is
export function outboxBacklog(db: Db): { topic: string; pending: number; oldest: string | null }[] {
  return db
    .select({ topic: outbox.topic, pending: count(), oldest: min(outbox.occurredAt) })
    .from(outbox)
    .where(isNull(outbox.sentAt))
    .groupBy(outbox.topic)
    .all()
}
