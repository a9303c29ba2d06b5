import type { Db } from '../db/index.ts'
import { markSent, unsent } from './outbox.ts'
import type { Transport } from './transport.ts'

// Relay moves outbox rows to the transport and marks them sent once the transport accepted them;
// a crash between the two only means the events are published again (inboxes skip repeats)
export class Relay {
  private running = false
  private wake: (() => void) | null = null
  private loop: Promise<void> | null = null
  published = 0

  constructor(
    private readonly db: Db,
    private readonly transport: Transport,
    private readonly opts: { batch?: number; idleMs?: number; log?: (m: string) => void } = {},
  ) {}

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
    const batch = unsent(this.db, this.opts.batch ?? 100)
    if (batch.length === 0) return 0
    await this.transport.publish(batch.map(({ position: _p, ...event }) => event))
    markSent(
      this.db,
      batch.map((e) => e.position),
    )
    this.published += batch.length
    return batch.length
  }

  private async run(): Promise<void> {
    let failures = 0
    while (this.running) {
      try {
        const n = await this.once()
        failures = 0
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
