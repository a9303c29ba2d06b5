import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// outbox holds events written in the same transaction as the state change that caused them
export const outbox = sqliteTable(
  'outbox',
  {
    position: integer('position').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    topic: text('topic').notNull(),
    type: text('type').notNull(),
    data: text('data').notNull(),
    occurredAt: text('occurred_at').notNull(),
    source: text('source').notNull(),
    traceId: text('trace_id').notNull(),
    sentAt: integer('sent_at'),
    // how often the relay handed the event to an in-process transport without it being marked
    // sent: an event that keeps crashing the process is dead-lettered after N
    attempts: integer('attempts').notNull().default(0),
  },
  // the relay only ever reads unsent rows: a partial index keeps that read small however many
  // sent rows the table keeps
  (t) => [index('outbox_unsent').on(t.position).where(sql`${t.sentAt} IS NULL`)],
)

// inbox records which events a consumer has applied, in the same transaction as the effect
export const inbox = sqliteTable(
  'inbox',
  {
    consumer: text('consumer').notNull(),
    eventId: text('event_id').notNull(),
    handledAt: integer('handled_at').notNull(),
  },
  // handledAt is indexed for pruning: rows older than the retention are deleted
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] }), index('inbox_handled').on(t.handledAt)],
)

// deadLetters keeps events a consumer gave up on, for a person to look at
export const deadLetters = sqliteTable('dead_letters', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  consumer: text('consumer').notNull(),
  eventId: text('event_id').notNull(),
  topic: text('topic').notNull(),
  type: text('type').notNull(),
  event: text('event').notNull(),
  error: text('error').notNull(),
  attempts: integer('attempts').notNull(),
  failedAt: integer('failed_at').notNull(),
})
