import type { Db } from '../db/index.ts'
import { pruneInbox, recordDeadLetter } from './inbox.ts'
import { countAttempt, lastUnsentPosition, markSent, pruneOutbox, unsent } from './outbox.ts'
import { defaultRetry, type Transport } from './transport.ts'

// RelayOptions tunes a relay; the retention figures bound how much delivered history the
// database keeps (sent outbox rows, and inbox rows, which must outlive any redelivery)
export interface RelayOptions {
  batch?: number
  idleMs?: number
  // deliveries after a restart, through an inline transport, before an event that keeps killing
  // the process is dead-lettered
  maxAttempts?: number
  outboxRetentionMs?: number
  inboxRetentionMs?: number
  pruneEveryMs?: number
  log?: (m: string) => void
}

// RELAY_CONSUMER names the dead letters the relay itself records (for an inline transport)
export const RELAY_CONSUMER = 'relay'

// Relay moves outbox rows to the transport and marks them sent once the transport accepted them;
// a crash between the two only means the events are published again (inboxes skip repeats)
export class Relay {
  private running = false
  private wake: (() => void) | null = null
  private nextPrune = 0
  // the newest outbox position that was unsent when this relay first looked (inline only)
  private horizon: number | null = null
  private loop: Promise<void> | null = null
  published = 0

  constructor(
    private readonly db: Db,
    private readonly transport: Transport,
    private readonly opts: RelayOptions = {},
  ) {
    this.nextPrune = Date.now() + (opts.pruneEveryMs ?? 30_000)
  }

  // start begins relaying in the background
  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  // kick wakes the relay right away (called after a transaction added to the outbox)
  kick = (): void => {
    this.wake?.()
  }

  // stop lets the current batch finish, then ends the loop
  async stop(): Promise<void> {
    this.running = false
    this.kick()
    await this.loop
  }

  // drain relays until the outbox is empty, for tests and graceful shutdown
  async drain(): Promise<void> {
    for (;;) {
      const n = await this.once()
      if (n === 0) return
    }
  }

  // once relays one batch; calls are serialised so a batch is never published twice at once
  private once(): Promise<number> {
    const next = this.tail.then(() => this.relayBatch())
    this.tail = next.catch(() => {})
    return next
  }

  private tail: Promise<unknown> = Promise.resolve()

  private async relayBatch(): Promise<number> {
    let batch = unsent(this.db, this.opts.batch ?? 100)
    if (batch.length === 0) return 0
    if (this.transport.inline) {
      // only a crash leaves an event handed to in-process consumers unsent, and a crash means a
      // new process: what was unsent when this relay first looked is suspect. Suspects go one
      // at a time, each delivery counted first (so a culprit's count grows, not its
      // neighbours'); what was added since goes in batches without the extra write
      this.horizon ??= lastUnsentPosition(this.db)
      const head = batch[0]!
      if (head.position <= this.horizon) {
        batch = [head]
        const max = this.opts.maxAttempts ?? defaultRetry.maxAttempts
        if (head.attempts >= max) {
          const why = `delivered ${head.attempts} times after restarts without finishing: it crashes its consumer`
          this.opts.log?.(`dead-letter ${head.type} ${head.id}: ${why}`)
          const { position: _p, attempts, ...event } = head
          recordDeadLetter(this.db, RELAY_CONSUMER, event, why, attempts)
          markSent(this.db, [head.position])
          return 1
        }
        countAttempt(this.db, [head.position])
      }
    }
    await this.transport.publish(batch.map(({ position: _p, attempts: _a, ...event }) => event))
    markSent(
      this.db,
      batch.map((e) => e.position),
    )
    this.published += batch.length
    return batch.length
  }

  // prune deletes delivered history older than the retention, at most every pruneEveryMs
  prune(now = Date.now()): void {
    if (now < this.nextPrune) return
    this.nextPrune = now + (this.opts.pruneEveryMs ?? 30_000)
    const sent = pruneOutbox(this.db, now - (this.opts.outboxRetentionMs ?? 3_600_000))
    const handled = pruneInbox(this.db, now - (this.opts.inboxRetentionMs ?? 86_400_000))
    if (sent + handled > 0)
      this.opts.log?.(`relay: pruned ${sent} sent outbox row(s), ${handled} inbox row(s)`)
  }

  private async run(): Promise<void> {
    let failures = 0
    while (this.running) {
      try {
        const n = await this.once()
        failures = 0
        try {
          this.prune()
        } catch (error) {
          // pruning is housekeeping: the next round tries again
          this.opts.log?.(`relay: prune failed (${String(error)})`)
        }
        if (n > 0) continue
      } catch (error) {
        failures++
        this.opts.log?.(`relay: publish failed (${String(error)}), retrying`)
      }
      const idle = failures > 0 ? Math.min(5000, 100 * 2 ** failures) : (this.opts.idleMs ?? 500)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idle)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
    }
  }
}
