import type { Handler } from './bus/inbox.ts'
import type { Db, MigrationSet } from './db/index.ts'

// ModuleDef is what wiring needs to know of a module besides its service: its tables and seed
export interface ModuleDef {
  name: string
  migrations?: MigrationSet
  // seed fills the module's tables with deterministic demo data when they are empty (and
  // keeps the seeded logins in line with the deployment's credentials on every start)
  seed?(db: Db, ctx?: SeedContext): void | Promise<void>
}

// SeedContext is what a deployment tells seeds about its credentials; without it (tests) the
// documented demo logins are seeded
export interface SeedContext {
  adminPassword: string
  // the 100 demo customers may log in with the public demo password
  demoLogins: boolean
  // an existing database may hold other logins (another mode, another admin password) and
  // must be brought in line; false when the deployment knows it already is (default true)
  sync?: boolean
}

// migrationsOf names the migrations folder beside a module's schema
export const migrationsOf = (name: string, dir: string): MigrationSet => ({
  name,
  folder: `${dir}/migrations`,
})

// Consumer is a module's interest in a topic: a synchronous handler applied once per event
// (wiring wraps it with the inbox, and the transport retries it, then dead-letters it)
export interface Consumer {
  topic: string
  group: string
  handler: Handler
}

// Sweeper runs a module's housekeeping (expiring holds, say) now and then every everyMs, never
// letting a failed round end it; start is idempotent and answers how to stop it
export class Sweeper {
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly name: string,
    private readonly everyMs: number,
    private readonly round: () => unknown,
    private readonly log: (msg: string) => void,
  ) {}

  start(): () => void {
    if (!this.timer) {
      const tick = () => {
        try {
          this.round()
        } catch (error) {
          this.log(`${this.name}: sweep failed: ${String(error)}`)
        }
      }
      tick()
      this.timer = setInterval(tick, this.everyMs)
      // housekeeping never keeps a process alive on its own
      this.timer.unref?.()
    }
    return () => this.stop()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }
}
