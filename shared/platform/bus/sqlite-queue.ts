import { Database } from 'bun:sqlite'
import type { IntegrationEvent } from '../../contracts/events.ts'
import {
  backoffMs,
  defaultRetry,
  type QueueStat,
  type RetryPolicy,
  type Subscription,
  type Transport,
} from './transport.ts'

// The queue file's tables: one row per message, one delivery row per (message, consumer group)
const SCHEMA = `
CREATE TABLE IF NOT EXISTS queue_groups (topic TEXT NOT NULL, grp TEXT NOT NULL, PRIMARY KEY (topic, grp));
CREATE TABLE IF NOT EXISTS queue_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS queue_deliveries (
  message_id INTEGER NOT NULL,
  grp TEXT NOT NULL,
  topic TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  visible_at INTEGER NOT NULL,
  last_error TEXT,
  PRIMARY KEY (message_id, grp)
);
CREATE INDEX IF NOT EXISTS queue_deliveries_ready ON queue_deliveries (grp, state, visible_at);
`

// SqliteQueueOptions tunes one process's use of the shared queue file
export interface SqliteQueueOptions {
  // consumer groups per topic, known up front so messages published while a consumer is down
  // still wait for it
  groups?: Record<string, string[]>
  retry?: RetryPolicy
  // how long a claimed message stays invisible to others; a consumer that dies holding it
  // loses it to the next poll after this
  leaseMs?: number
  pollMs?: number
  batch?: number
  log?: (msg: string) => void
}

// sqliteQueue is a durable queue in one SQLite file shared by the processes of one machine:
// consumer groups, ack, redelivery after a lease expires, dead-letter after N attempts
export function sqliteQueue(path: string, opts: SqliteQueueOptions = {}): Transport {
  const db = new Database(path, { create: true, strict: true })
  db.run('PRAGMA journal_mode = WAL')
  db.run('PRAGMA synchronous = NORMAL')
  db.run('PRAGMA busy_timeout = 5000')
  db.transaction(() => db.run(SCHEMA)).immediate()
  const retry = opts.retry ?? defaultRetry
  const leaseMs = opts.leaseMs ?? 10_000
  const pollMs = opts.pollMs ?? 50
  const batch = opts.batch ?? 50

  const addGroup = db.prepare('INSERT OR IGNORE INTO queue_groups (topic, grp) VALUES (?, ?)')
  const registerGroups = db.transaction((pairs: [string, string][]) => {
    for (const [topic, grp] of pairs) addGroup.run(topic, grp)
  })
  registerGroups.immediate(
    Object.entries(opts.groups ?? {}).flatMap(([topic, groups]) =>
      groups.map((g) => [topic, g] as [string, string]),
    ),
  )

  const insertMessage = db.prepare(
    'INSERT OR IGNORE INTO queue_messages (event_id, topic, body, created_at) VALUES (?, ?, ?, ?) RETURNING id',
  )
  const insertDeliveries = db.prepare(
    `INSERT INTO queue_deliveries (message_id, grp, topic, visible_at)
     SELECT ?, grp, topic, ? FROM queue_groups WHERE topic = ?`,
  )
  const publishTx = db.transaction((events: IntegrationEvent[]) => {
    const now = Date.now()
    for (const e of events) {
      // a re-published event (relay crashed before marking it sent) is stored once
      const row = insertMessage.get(e.id, e.topic, JSON.stringify(e), now) as { id: number } | null
      if (row) insertDeliveries.run(row.id, now, e.topic)
    }
  })

  const claim = db.prepare(
    `UPDATE queue_deliveries SET state = 'leased', attempts = attempts + 1, visible_at = ?1
     WHERE rowid IN (
       SELECT rowid FROM queue_deliveries
       WHERE grp = ?2 AND topic = ?3 AND state IN ('pending', 'leased') AND visible_at <= ?4
       ORDER BY message_id LIMIT ?5)
     RETURNING message_id AS messageId, attempts`,
  )
  const bodyOf = db.prepare('SELECT body FROM queue_messages WHERE id = ?')
  const ack = db.prepare('DELETE FROM queue_deliveries WHERE message_id = ? AND grp = ?')
  const nack = db.prepare(
    `UPDATE queue_deliveries SET state = ?, visible_at = ?, last_error = ? WHERE message_id = ? AND grp = ?`,
  )
  const claimTx = db.transaction((grp: string, topic: string) => {
    const now = Date.now()
    return claim.all(now + leaseMs, grp, topic, now, batch) as {
      messageId: number
      attempts: number
    }[]
  })
  const cleanup = db.prepare(
    `DELETE FROM queue_messages WHERE id NOT IN (SELECT message_id FROM queue_deliveries)
     AND created_at < ?`,
  )

  const loops: Promise<void>[] = []
  let closed = false

  async function consume(sub: Subscription): Promise<void> {
    addGroup.run(sub.topic, sub.group)
    while (!closed) {
      let claimed: { messageId: number; attempts: number }[] = []
      try {
        claimed = claimTx.immediate(sub.group, sub.topic)
      } catch (error) {
        opts.log?.(`queue: claim failed (${String(error)})`)
      }
      for (const { messageId, attempts } of claimed) {
        const row = bodyOf.get(messageId) as { body: string } | null
        if (!row) {
          ack.run(messageId, sub.group)
          continue
        }
        const event = JSON.parse(row.body) as IntegrationEvent
        try {
          await sub.handle(event)
          ack.run(messageId, sub.group)
        } catch (error) {
          const dead = attempts >= retry.maxAttempts
          const message = error instanceof Error ? error.message : String(error)
          if (dead) opts.log?.(`dead-letter ${sub.group} ${event.type} ${event.id}: ${message}`)
          nack.run(
            dead ? 'dead' : 'pending',
            Date.now() + backoffMs(retry, attempts),
            message,
            messageId,
            sub.group,
          )
        }
      }
      if (claimed.length < batch) await Bun.sleep(pollMs)
    }
  }

  const stats = db.prepare(
    `SELECT topic,
       SUM(state IN ('pending', 'leased')) AS pending,
       SUM(state = 'dead') AS deadLettered,
       MIN(CASE WHEN state IN ('pending', 'leased') THEN message_id END) AS oldestId
     FROM queue_deliveries GROUP BY topic ORDER BY topic`,
  )
  const createdAt = db.prepare('SELECT created_at AS createdAt FROM queue_messages WHERE id = ?')
  const topics = db.prepare('SELECT DISTINCT topic FROM queue_groups ORDER BY topic')

  return {
    name: 'sqlite-queue',
    async publish(events) {
      if (events.length) publishTx.immediate(events)
    },
    subscribe(sub) {
      loops.push(consume(sub))
    },
    stats(): QueueStat[] {
      const now = Date.now()
      const rows = stats.all() as {
        topic: string
        pending: number
        deadLettered: number
        oldestId: number | null
      }[]
      const byTopic = new Map(rows.map((r) => [r.topic, r]))
      for (const { topic } of topics.all() as { topic: string }[]) {
        if (!byTopic.has(topic))
          byTopic.set(topic, { topic, pending: 0, deadLettered: 0, oldestId: null })
      }
      return [...byTopic.values()].map((r) => {
        const oldest =
          r.oldestId === null ? null : (createdAt.get(r.oldestId) as { createdAt: number } | null)
        return {
          topic: r.topic,
          pending: r.pending ?? 0,
          deadLettered: r.deadLettered ?? 0,
          oldestPendingMs: oldest ? now - oldest.createdAt : null,
        }
      })
    },
    async close() {
      closed = true
      await Promise.all(loops)
      try {
        cleanup.run(Date.now() - 60_000)
      } catch {
        // another process holds the write lock; the next close cleans up
      }
      db.close()
    },
  }
}
