import { count } from 'drizzle-orm'
import type { Db } from '../db/index.ts'
import { outboxBacklog } from './outbox.ts'
import { deadLetters } from './schema.ts'
import type { QueueStat } from './transport.ts'

// outboxQueueStats reports, per topic, the events not yet relayed and those dead-lettered
export function outboxQueueStats(db: Db, now = Date.now()): QueueStat[] {
  const stats = new Map<string, QueueStat>()
  const stat = (topic: string) => {
    let s = stats.get(topic)
    if (!s) {
      s = { topic, pending: 0, deadLettered: 0, oldestPendingMs: null }
      stats.set(topic, s)
    }
    return s
  }
  for (const row of outboxBacklog(db)) {
    const s = stat(row.topic)
    s.pending = row.pending
    s.oldestPendingMs = row.oldest ? now - Date.parse(row.oldest) : null
  }
  const dead = db
    .select({ topic: deadLetters.topic, n: count() })
    .from(deadLetters)
    .groupBy(deadLetters.topic)
    .all()
  for (const row of dead) stat(row.topic).deadLettered = row.n
  return [...stats.values()].sort((a, b) => a.topic.localeCompare(b.topic))
}
