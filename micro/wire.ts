import { join } from 'node:path'
import type { Hono } from 'hono'
import { inboxed } from '../shared/platform/bus/inbox.ts'
import { busMigrations } from '../shared/platform/bus/index.ts'
import { sqliteOutbox } from '../shared/platform/bus/outbox.ts'
import { Relay } from '../shared/platform/bus/relay.ts'
import { sqliteQueue } from '../shared/platform/bus/sqlite-queue.ts'
import type { Transport } from '../shared/platform/bus/transport.ts'
import { FaultBoard } from '../shared/platform/chaos.ts'
import { messaging, resilience } from '../shared/platform/config.ts'
import { type Database, migrate, openDatabase } from '../shared/platform/db/index.ts'
import { audienceOf, jwtIssuer, type TokenIssuer } from '../shared/platform/http/auth.ts'
import { BreakerBoard } from '../shared/platform/http/breakers.ts'
import type { AppEnv } from '../shared/platform/http/env.ts'
import { type Fetch, resilientFetch } from '../shared/platform/http/remote.ts'
import type { SeedContext } from '../shared/platform/module.ts'
import { buildModules, moduleWiring, startModules } from '../shared/wiring/registry.ts'
import { optionsFor } from '../shared/wiring/settings.ts'
import type { MicroConfig } from './config.ts'
import { replicaUrls, type ServiceSpec, type Topology } from './topology.ts'

// hostOf finds the service that runs a module
export function hostOf(t: Topology, module: string): ServiceSpec {
  const s = t.services.find((x) => x.modules.includes(module))
  if (!s) throw new Error(`no service runs module ${module}`)
  return s
}

// modulesOfDatabase lists every module whose tables live in a database file (shared data)
export function modulesOfDatabase(t: Topology, file: string): string[] {
  return t.services.filter((s) => s.database === file).flatMap((s) => s.modules)
}

// prepareDatabase migrates and seeds one database file for every module that keeps tables in it
export async function prepareDatabase(
  t: Topology,
  dataDir: string,
  file: string,
  credentials?: SeedContext,
): Promise<Database> {
  const database = await openDatabase(join(dataDir, file))
  migrate(database.db, busMigrations)
  for (const name of modulesOfDatabase(t, file)) {
    const def = moduleWiring(name)
    if (def.migrations) migrate(database.db, def.migrations)
    await def.seed?.(database.db, credentials)
  }
  return database
}

// balanced spreads calls to a logical origin (http://<service>) round-robin over its replicas
export function balanced(urls: string[], base: Fetch = fetch): Fetch {
  let next = 0
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    // path and query after the logical origin, cut from the string (no URL parse per call)
    const at = url.indexOf('/', url.indexOf('//') + 2)
    const target = urls[next++ % urls.length]!
    return base(`${target}${at < 0 ? '/' : url.slice(at)}`, init)
  }
}

// linkShares splits a process's socket budget over the replicas it calls: each link may have
// its share times its replica count in flight, so pooled sockets never exceed Bun's pool
export function linkShares(callees: ServiceSpec[]): Map<string, number> {
  const hosts = callees.reduce((n, s) => n + s.replicas, 0)
  const perHost = Math.max(2, Math.floor(resilience.socketBudget / Math.max(1, hosts)))
  return new Map(callees.map((s) => [s.name, perHost * s.replicas]))
}

// ServiceProcess is one service of the topology wired for its own process
export interface ServiceProcess {
  spec: ServiceSpec
  tokens: TokenIssuer
  board: BreakerBoard
  faults: FaultBoard
  transport: Transport
  database: Database | null
  relay: Relay | null
  routes: Hono<AppEnv, any, any>[]
  close(): Promise<void>
}

// wireService builds one service: its modules locally, every other module as a resilient HTTP
// client to the service that runs it, except modules sharing its database file, which it reads
// in-process (the Shared-Data pattern)
export async function wireService(
  spec: ServiceSpec,
  config: MicroConfig,
  log: (msg: string) => void = console.log,
): Promise<ServiceProcess> {
  const t = config.topology
  const credentials = {
    adminPassword: config.secrets.adminPassword,
    demoLogins: config.mode.demo,
    sync: !config.secrets.loginsApplied,
  }
  const database = spec.database
    ? await prepareDatabase(t, config.dataDir, spec.database, credentials)
    : null
  const tokens = jwtIssuer(config.jwtSecret, { audience: audienceOf('micro') })
  const transport = sqliteQueue(join(config.dataDir, t.queue), {
    groups: t.groups,
    retry: messaging,
    log,
  })
  const relay = database ? new Relay(database.db, transport, { log }) : null
  const faults = new FaultBoard()
  const board = new BreakerBoard()
  board.onTransition((v) => log(`breaker ${v.from} -> ${v.to} is ${v.state}`))

  const links = new Map<string, Fetch>()
  const shares = linkShares(
    spec.calls.map((name) => t.services.find((s) => s.name === name)!).filter(Boolean),
  )
  const link = (to: ServiceSpec) => {
    let f = links.get(to.name)
    if (!f) {
      f = resilientFetch({
        from: spec.name,
        to: to.name,
        board,
        serviceToken: config.serviceToken,
        fetch: balanced(replicaUrls(to, config.host)),
        maxInFlight: shares.get(to.name) ?? 8,
        faults,
      })
      links.set(to.name, f)
    }
    return f
  }
  const remote = (module: string) => {
    const host = hostOf(t, module)
    if (host.name === spec.name) return undefined
    if (host.database && host.database === spec.database) return undefined
    return moduleWiring(module).client(`http://${host.name}`, link(host))
  }
  const services = buildModules(
    spec.modules,
    {
      db: () => {
        if (!database) throw new Error(`${spec.name} has no database`)
        return database.db
      },
      tokens,
      outbox: (source) => sqliteOutbox(source, () => relay?.kick()),
      options: (module) => optionsFor(config.modules ?? {}, module, log),
    },
    remote,
  )
  for (const name of spec.modules) {
    for (const c of moduleWiring(name).consumers ?? []) {
      transport.subscribe({
        topic: c.topic,
        group: c.group,
        handle: inboxed(database!.db, c.group, c.handler),
      })
    }
  }
  relay?.start()
  // checkout recovery, expired holds and authorisations: resumed or swept from the start
  const stopModules = startModules(spec.modules, services)

  return {
    spec,
    tokens,
    board,
    faults,
    transport,
    database,
    relay,
    routes: spec.modules.map((name) => moduleWiring(name).routes(services.get(name))),
    async close() {
      await stopModules()
      await relay?.stop()
      await transport.close()
      database?.close()
    },
  }
}
