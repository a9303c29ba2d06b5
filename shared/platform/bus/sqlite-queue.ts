import { ExponentialBackoff, type IBackoff } from 'cockatiel'
import type { IntegrationEvent } from '../../contracts/events.ts'
import { openSqlite } from '../db/sqlite.ts'
import { sleep } from '../runtime.ts'
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
  // how long a message every group acknowledged is kept (a re-publish within this window is
  // recognised as a repeat), and how often a consumer prunes older ones
  retentionMs?: number
  pruneEveryMs?: number
  // how long a statement waits for another process's write lock before it fails
  busyTimeoutMs?: number
  log?: (msg: string) => void
}

// Lease is one claimed delivery: attempts is also the lease's token, since every claim
// increments it, so only the holder of the newest claim can ack or nack
type Lease = { messageId: number; attempts: number }

// sqliteQueue is a durable queue in one SQLite file shared by the processes of one machine:
// consumer groups, ack, redelivery after a lease expires, dead-letter after N deliveries
// (counted when leased, so a message that kills its consumer is dead-lettered too), pruning of
// delivered messages
export function sqliteQueue(path: string, opts: SqliteQueueOptions = {}): Transport {
  const db = openSqlite(path)
  // the timeout first: the journal mode pragma takes a lock too, and meets other processes
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`)
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = NORMAL')
  db.transaction(() => db.exec(SCHEMA)).immediate()
  const retry = opts.retry ?? defaultRetry
  const leaseMs = opts.leaseMs ?? 10_000
  const pollMs = opts.pollMs ?? 50
  const batch = opts.batch ?? 50
  const retentionMs = opts.retentionMs ?? 3_600_000
  const pruneEveryMs = opts.pruneEveryMs ?? 30_000
  const log = opts.log ?? (() => {})

  // parameters are anonymous `?` in order: better-sqlite3 (Node) refuses numbered ones
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

  // a delivery leased maxAttempts times without an ack or nack killed (or hung) its consumer
  // that often: it is dead-lettered here, before anyone is handed it again
  const bury = db.prepare(
    `UPDATE queue_deliveries SET state = 'dead',
       last_error = 'leased ' || attempts || ' times without an answer (its consumer died or hung)'
         || coalesce('; last error: ' || last_error, '')
     WHERE grp = ? AND topic = ? AND state IN ('pending', 'leased') AND visible_at <= ?
       AND attempts >= ?`,
  )
  // after a crash the oldest ready delivery has been leased before: claim one at a time then,
  // so a message that kills its consumer does not count deliveries against those behind it
  const head = db.prepare(
    `SELECT attempts FROM queue_deliveries
     WHERE grp = ? AND topic = ? AND state IN ('pending', 'leased') AND visible_at <= ?
     ORDER BY message_id LIMIT 1`,
  )
  const claim = db.prepare(
    `UPDATE queue_deliveries SET state = 'leased', attempts = attempts + 1, visible_at = ?
     WHERE rowid IN (
       SELECT rowid FROM queue_deliveries
       WHERE grp = ? AND topic = ? AND state IN ('pending', 'leased') AND visible_at <= ?
       ORDER BY message_id LIMIT ?)
     RETURNING message_id AS messageId, attempts`,
  )
  const bodyOf = db.prepare('SELECT body FROM queue_messages WHERE id = ?')
  // ack and nack only touch the delivery as this lease left it: a consumer whose lease ran out
  // and was handed to another changes nothing
  const ack = db.prepare(
    `DELETE FROM queue_deliveries
     WHERE message_id = ? AND grp = ? AND state = 'leased' AND attempts = ?`,
  )
  const nack = db.prepare(
    `UPDATE queue_deliveries SET state = ?, visible_at = ?, last_error = ?
     WHERE message_id = ? AND grp = ? AND state = 'leased' AND attempts = ?`,
  )
  const release = db.prepare(
    `UPDATE queue_deliveries SET state = 'pending', attempts = attempts - 1, visible_at = ?
     WHERE message_id = ? AND grp = ? AND state = 'leased' AND attempts = ?`,
  )
  const releaseTx = db.transaction((grp: string, leases: Lease[]) => {
    const now = Date.now()
    for (const l of leases) release.run(now, l.messageId, grp, l.attempts)
  })
  const claimTx = db.transaction((grp: string, topic: string): Lease[] => {
    const now = Date.now()
    const buried = bury.run(grp, topic, now, retry.maxAttempts).changes
    if (buried > 0) log(`dead-letter ${grp} ${topic}: ${buried} message(s) leased too often`)
    const first = head.get(grp, topic, now) as { attempts: number } | null
    if (!first) return []
    return claim.all(now + leaseMs, grp, topic, now, first.attempts > 0 ? 1 : batch) as Lease[]
  })
  const prune = db.prepare(
    `DELETE FROM queue_messages WHERE id IN (
       SELECT id FROM queue_messages m WHERE created_at < ?
       AND NOT EXISTS (SELECT 1 FROM queue_deliveries d WHERE d.message_id = m.id)
       LIMIT 5000)`,
  )
  const pruneTx = db.transaction((before: number) => prune.run(before).changes)
  let nextPrune = Date.now() + pruneEveryMs

  // pruneDelivered deletes messages every group acknowledged longer than retentionMs ago
  function pruneDelivered(): void {
    const now = Date.now()
    if (now < nextPrune) return
    nextPrune = now + pruneEveryMs
    const n = pruneTx.immediate(now - retentionMs)
    if (n > 0) log(`queue: pruned ${n} delivered message(s)`)
  }

  const loops: Promise<void>[] = []
  let closed = false

  // deliver hands one leased message to the handler and settles the lease, unless the lease
  // was lost meanwhile (another consumer holds it now)
  async function deliver(sub: Subscription, lease: Lease, leasedUntil: number): Promise<void> {
    const { messageId, attempts } = lease
    // a lease that ran out while earlier messages of the batch were handled belongs to whoever
    // claims it next: leave it to them rather than handle it twice at once
    if (Date.now() >= leasedUntil) return
    const row = bodyOf.get(messageId) as { body: string } | null
    if (!row) {
      ack.run(messageId, sub.group, attempts)
      return
    }
    const event = JSON.parse(row.body) as IntegrationEvent
    let failure: unknown = null
    try {
      await sub.handle(event)
    } catch (error) {
      failure = error
    }
    if (failure === null) {
      if (ack.run(messageId, sub.group, attempts).changes === 0)
        log(`queue: ${sub.group} lost the lease on ${event.id} before its ack`)
      return
    }
    const dead = attempts >= retry.maxAttempts
    const message = failure instanceof Error ? failure.message : String(failure)
    if (dead) log(`dead-letter ${sub.group} ${event.type} ${event.id}: ${message}`)
    const changed = nack.run(
      dead ? 'dead' : 'pending',
      Date.now() + backoffMs(retry, attempts),
      message,
      messageId,
      sub.group,
      attempts,
    ).changes
    if (changed === 0) log(`queue: ${sub.group} lost the lease on ${event.id} before its nack`)
  }

  // consume runs one group's loop until close: no error ends it (a failed claim, ack, nack or
  // prune is logged and retried after a growing pause)
  async function consume(sub: Subscription): Promise<void> {
    const pause = new ExponentialBackoff({ initialDelay: pollMs, maxDelay: 5000 })
    let backoff: IBackoff<unknown> | null = null
    let registered = false
    while (!closed) {
      let claimed: Lease[] = []
      try {
        if (!registered) {
          addGroup.run(sub.topic, sub.group)
          registered = true
        }
        // taken before the claim, so it never outlasts the lease the claim wrote
        const leasedUntil = Date.now() + leaseMs
        claimed = claimTx.immediate(sub.group, sub.topic)
        for (const [i, lease] of claimed.entries()) {
          if (closed) {
            // shutting down: hand back what was claimed but not delivered, uncounted
            releaseTx.immediate(sub.group, claimed.slice(i))
            break
          }
          await deliver(sub, lease, leasedUntil)
        }
        pruneDelivered()
        backoff = null
      } catch (error) {
        backoff = (backoff ?? pause).next(undefined)
        log(`queue: ${sub.group} on ${sub.topic} failed (${String(error)}), retrying`)
        await sleep(backoff.duration)
        continue
      }
      if (claimed.length < batch) await sleep(pollMs)
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
      // the group's first registration may meet a busy file: the loop retries it
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
        pruneTx.immediate(Date.now() - retentionMs)
      } catch {
        // another process holds the write lock; the next close cleans up
      }
      db.close()
    },
  }
}
