import { join } from 'node:path'
import type { Hono } from 'hono'
import { inboxed } from '../platform/bus/inbox.ts'
import { busMigrations } from '../platform/bus/index.ts'
import { sqliteOutbox } from '../platform/bus/outbox.ts'
import { Relay } from '../platform/bus/relay.ts'
import type { Transport } from '../platform/bus/transport.ts'
import { FaultBoard, withFaults } from '../platform/chaos.ts'
import { resilience } from '../platform/config.ts'
import { type Database, type Db, migrate, openDatabase } from '../platform/db/index.ts'
import { audienceOf, jwtIssuer, type TokenIssuer } from '../platform/http/auth.ts'
import { BreakerBoard } from '../platform/http/breakers.ts'
import type { AppEnv } from '../platform/http/env.ts'
import { type Fetch, type Link, resilientFetch } from '../platform/http/remote.ts'
import type { SeedContext } from '../platform/module.ts'
import { isBun } from '../platform/runtime.ts'
import {
  hostOf,
  isLocal,
  modulesOfDatabase,
  type Plan,
  replicaSockets,
  replicaUrls,
  type ServiceSpec,
} from './plan.ts'
import { buildModules, moduleWiring, startModules } from './registry.ts'
import { type ModuleSettings, optionsFor } from './settings.ts'

// prepareDatabase opens one database file and migrates and seeds it for every module of the
// plan that keeps tables in it (the bus tables first)
export async function prepareDatabase(
  plan: Plan,
  dataDir: string,
  file: string,
  credentials?: SeedContext,
): Promise<Database> {
  const database = await openDatabase(join(dataDir, file))
  migrate(database.db, busMigrations)
  for (const name of modulesOfDatabase(plan, file)) {
    const m = moduleWiring(name, plan.registry)
    if (m.migrations) migrate(database.db, m.migrations)
    await m.seed?.(database.db, credentials)
  }
  return database
}

// balanced spreads calls to a logical origin (http://<group>) round-robin over its replicas;
// a replica with a unix socket (sockets, in replica order) is reached through it
export function balanced(
  urls: string[],
  base: Fetch = fetch,
  sockets: (string | undefined)[] = [],
): Fetch {
  let next = 0
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    // path and query after the logical origin, cut from the string (no URL parse per call)
    const at = url.indexOf('/', url.indexOf('//') + 2)
    const i = next++ % urls.length
    const target = `${urls[i]!}${at < 0 ? '/' : url.slice(at)}`
    const unix = sockets[i]
    return base(target, unix ? { ...init, unix } : init)
  }
}

// linkShares splits a process's socket budget over the replicas it calls: each link may have
// its share times its replica count in flight, so pooled sockets never exceed Bun's pool. A
// caller whose requests each go to one callee (the gateway: a public request is routed to one
// group) lets a link use up to half the budget when its even share is smaller: links then
// compete only while several are busy at once, and a group serving the hot route is not held
// to a fraction of the sockets because other groups exist. A caller that fans out (the
// aggregator calls every part at once) keeps the even split
export function linkShares(
  callees: ServiceSpec[],
  fanOut: 'each-request-calls-all' | 'each-request-calls-one' = 'each-request-calls-all',
): Map<string, number> {
  const hosts = callees.reduce((n, s) => n + s.replicas, 0)
  const even = Math.max(2, Math.floor(resilience.socketBudget / Math.max(1, hosts)))
  return new Map(
    callees.map((s) => {
      const share = even * s.replicas
      if (fanOut === 'each-request-calls-all') return [s.name, share]
      return [s.name, Math.max(share, Math.floor(resilience.socketBudget / 2))]
    }),
  )
}

// WireOptions are what a deployment decides around the modules: secrets, the seeded logins,
// the transport, how to reach other groups, and whether chaos wraps in-process calls
export interface WireOptions {
  dataDir: string
  jwtSecret: string
  // whose tokens these are (a monolith's token is no good on micro, and back)
  deployment: 'monolith' | 'micro'
  // the seeded logins: the admin's password and whether the demo customers may log in
  credentials?: SeedContext
  // the group's event transport, given its database (the mitt bus or the shared queue file)
  transport(db: Db | null): Transport
  // calls to other groups: their host and the service token they demand
  host?: string
  serviceToken?: string
  // where groups on Bun listen on unix sockets too (see replicaSockets); calls from a process
  // on Bun use them. Unset: every call goes over TCP
  socketDir?: string | null
  // start with the outbox relay paused (events wait in the outbox): a chaos knob for tests
  relayPaused?: boolean
  // what a chaos fault is injected into: each module (the monolith: `latency catalog` slows
  // every call into catalog) or the whole group (micro: a service's modules meet its faults).
  // Either way faults meet the module's own code path: the service behind its routes, its
  // in-process callers within the group, and its consumers (poison)
  faultsBy: 'module' | 'group'
  // recovery and sweep intervals, ttls (and a test's crash point) for the checkout saga
  modules?: ModuleSettings
  log?: (msg: string) => void
}

// Wired is one group of a plan running in this process
export interface Wired {
  plan: Plan
  group: ServiceSpec
  tokens: TokenIssuer
  board: BreakerBoard
  faults: FaultBoard
  transport: Transport
  database: Database | null
  relay: Relay | null
  services: Map<string, unknown>
  // each module's sub-app, in the group's order
  modules: { name: string; routes: Hono<AppEnv, any, any> }[]
  close(): Promise<void>
}

// wire builds one group of a plan: opens and prepares its database, builds its modules with
// in-process neighbours inside the group (and those sharing its database file: Shared-Data
// reads) and resilient HTTP clients to the groups hosting the others, subscribes its
// consumers through the inbox, starts the relay and the modules' background work. One close()
// undoes it all. Both deployments run through here: the monolith is the one-group plan
export async function wire(plan: Plan, group: ServiceSpec, opts: WireOptions): Promise<Wired> {
  const log = opts.log ?? console.log
  const database = group.database
    ? await prepareDatabase(plan, opts.dataDir, group.database, opts.credentials)
    : null
  const tokens = jwtIssuer(opts.jwtSecret, { audience: audienceOf(opts.deployment) })
  const transport = opts.transport(database?.db ?? null)
  const relay = database ? new Relay(database.db, transport, { log }) : null
  const faults = new FaultBoard()
  const board = new BreakerBoard()
  board.onTransition((v) => log(`breaker ${v.from} -> ${v.to} is ${v.state}`))

  const remote = remoteClients(plan, group, opts, board, faults)
  const target = (module: string) => (opts.faultsBy === 'module' ? module : group.name)
  const caller = (module: string) => (opts.faultsBy === 'module' ? module : group.name)
  const services = buildModules(
    group.modules,
    {
      db: () => {
        if (!database) throw new Error(`group ${group.name} has no database`)
        return database.db
      },
      tokens,
      outbox: (source) => sqliteOutbox(source, () => relay?.kick()),
      options: (module) => optionsFor(opts.modules ?? {}, module, log),
      reachable: (module) => !remote.refusing(module),
      readTogether: database?.readTogether,
    },
    remote,
    // a module of this group called in-process meets its faults, as a call over HTTP does; one
    // built here only to read shared data belongs to another group, whose faults it is not
    (from, callee, service) =>
      group.modules.includes(callee)
        ? withFaults(faults, caller(from), target(callee), service as object)
        : service,
    plan.registry,
  )
  subscribeConsumers(plan, group, database, transport, (module, handle) =>
    // a poison fault meets the message before its inbox does
    faults.consumer(target(module), handle),
  )
  if (!opts.relayPaused) relay?.start()
  // checkout recovery, expired holds and authorisations: resumed or swept from the start
  const stopModules = startModules(group.modules, services, plan.registry)

  return {
    plan,
    group,
    tokens,
    board,
    faults,
    transport,
    database,
    relay,
    services,
    modules: group.modules.map((name) => {
      const service = services.get(name) as object
      return {
        name,
        routes: moduleWiring(name, plan.registry).routes(
          withFaults(faults, 'http', target(name), service),
        ),
      }
    }),
    async close() {
      await stopModules()
      await relay?.stop()
      await transport.close()
      database?.close()
    },
  }
}

// remoteClients answers, for a module this group does not build, a client over a resilient
// link to the group hosting it (one link per callee group, spread over its replicas)
function remoteClients(
  plan: Plan,
  group: ServiceSpec,
  opts: WireOptions,
  board: BreakerBoard,
  faults: FaultBoard,
): ((module: string) => unknown | undefined) & { refusing(module: string): boolean } {
  const links = new Map<string, Link>()
  const shares = linkShares(
    group.calls.map((name) => plan.services.find((s) => s.name === name)!).filter(Boolean),
  )
  const link = (to: ServiceSpec) => {
    let f = links.get(to.name)
    if (!f) {
      f = resilientFetch({
        from: group.name,
        to: to.name,
        board,
        serviceToken: opts.serviceToken,
        fetch: balanced(
          replicaUrls(to, opts.host),
          fetch,
          isBun ? replicaSockets(to, opts.socketDir) : [],
        ),
        maxInFlight: shares.get(to.name) ?? 8,
        faults,
      })
      links.set(to.name, f)
    }
    return f
  }
  const client = (module: string) => {
    if (isLocal(plan, group, module)) return undefined
    const host = hostOf(plan, module)
    return moduleWiring(module, plan.registry).client(`http://${host.name}`, link(host))
  }
  // a module in process is always reachable; a remote one while its link would try a call
  const refusing = (module: string) =>
    !isLocal(plan, group, module) && (links.get(hostOf(plan, module).name)?.refusing() ?? false)
  return Object.assign(client, { refusing })
}

// Delivery is a consumer's handler as the transport calls it (the inbox around it)
type Delivery = ReturnType<typeof inboxed>

// subscribeConsumers hands the group's consumers to the transport, each handler wrapped with
// the inbox of the group's database (its effect and the event id commit together), then with
// hook (chaos)
function subscribeConsumers(
  plan: Plan,
  group: ServiceSpec,
  database: Database | null,
  transport: Transport,
  hook: (module: string, handle: Delivery) => Delivery,
): void {
  for (const name of group.modules) {
    for (const c of moduleWiring(name, plan.registry).consumers) {
      if (!database) throw new Error(`group ${group.name} consumes ${c.topic} without a database`)
      transport.subscribe({
        topic: c.topic,
        group: c.group,
        handle: hook(name, inboxed(database.db, c.group, c.handler)),
      })
    }
  }
}
