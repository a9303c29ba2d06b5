import type { Hono } from 'hono'
import type { Endpoint } from '../contracts/api.ts'
import type { Contract } from '../contracts/contract.ts'
import type { Handler } from './bus/inbox.ts'
import type { Outbox } from './bus/outbox.ts'
import type { Db, MigrationSet, Together } from './db/index.ts'
import type { TokenIssuer } from './http/auth.ts'
import type { AppEnv } from './http/env.ts'
import type { Fetch } from './http/remote.ts'

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

// Needs are the contracts a module calls, by the name its factory reads them under
export type Needs = Record<string, Contract<any>>

// Neighbours are the needs as the factory receives them: each one typed by its contract
export type Neighbours<N extends Needs> = {
  [K in keyof N]: N[K] extends Contract<infer T> ? T : never
}

// BuildContext is what a deployment hands a module's factory: its database, the token issuer,
// its outbox, its constructor options and its neighbours (local objects or HTTP clients: the
// module cannot tell)
export interface BuildContext<N extends Needs> {
  db(): Db
  tokens: TokenIssuer
  // the module's outbox (events carry the module's name as their source)
  outbox(): Outbox
  // constructor options the deployment sets (recovery and sweep intervals, ttls)
  options: Record<string, unknown>
  needs: Neighbours<N>
  // whether a call to a need would be tried right now: false while the link to it refuses at
  // once (its breaker open), always true in process. A module may skip work it cannot finish
  reachable(need: keyof N & string): boolean
  // together(fn) runs fn, which starts calls to needs, so that the reads those calls make at
  // once share one read transaction: one consistent snapshot, one lock round instead of one per
  // statement. Wiring decides: with two or more needs in this process (the monolith) it is the
  // database's readTogether, else (their calls go over HTTP) just fn()
  together: Together
  // snapshot(fn) runs fn, which reads the module's own tables in more than one statement, in
  // one read transaction on its database (Database.readTogether): one consistent answer, one
  // lock round. Inside a snapshot already (a page read together) it is just fn()
  snapshot: Together
}

// ModuleManifest is everything wiring knows of a module, declared once in its index.ts: what
// it implements, what it needs, what it serves and publishes, its tables and background work.
// Layouts, the gateway's route table, consumer groups, the calls graph, the OpenAPI document
// and the bench's endpoint map are all derived from the manifests
// (I is the contract's interface, S the service class built here, which implements it)
export interface ModuleManifest<S extends I = any, N extends Needs = Needs, I = S>
  extends ModuleDef {
  // the contract this module implements (its name is the module's)
  implements: Contract<I>
  needs: N
  build(ctx: BuildContext<N>): S
  // the module's Hono sub-app: public routes and its internal routes
  routes(service: I): Hono<AppEnv, any, any>
  // the remote adapter implementing the same contract over HTTP
  client(base: string, fetch: Fetch): I
  // public path patterns (Hono syntax) the gateway sends to the process hosting this module
  publicRoutes: string[]
  // where its internal routes live (/internal/<name>)
  internalPrefix: string
  // its public endpoints (api.md), for the OpenAPI document
  api: Endpoint[]
  // which needs an endpoint ('METHOD /path' as in api) calls on its way; all of them if unsaid
  uses?: Record<string, (keyof N & string)[]>
  // topics it publishes to through its outbox
  publishes: string[]
  // what it consumes (topic and consumer group); wiring adds the inbox
  consumers: Consumer[]
  // background work (recovery, sweeps) where the module is hosted; the answer stops it
  start?(service: S): () => void | Promise<void>
}

// AnyModule is a manifest of any contract and needs, as registries hold them
export type AnyModule = ModuleManifest<any, any, any>

// defineModule checks a manifest against its contract and needs (types only)
export const defineModule = <S, N extends Needs>(m: ModuleManifest<S, N>): ModuleManifest<S, N> => m

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
