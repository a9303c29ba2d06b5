import { randomBytes } from 'node:crypto'
import type { Hono } from 'hono'
import type { Users } from '../shared/contracts/users.ts'
import { inboxed, recordDeadLetter } from '../shared/platform/bus/inbox.ts'
import { busMigrations } from '../shared/platform/bus/index.ts'
import { mittTransport } from '../shared/platform/bus/mitt.ts'
import { sqliteOutbox } from '../shared/platform/bus/outbox.ts'
import { Relay } from '../shared/platform/bus/relay.ts'
import { FaultBoard, withFaults } from '../shared/platform/chaos.ts'
import { messaging } from '../shared/platform/config.ts'
import { type Database, migrate, openDatabase } from '../shared/platform/db/index.ts'
import { audienceOf, jwtIssuer, type TokenIssuer } from '../shared/platform/http/auth.ts'
import type { AppEnv } from '../shared/platform/http/env.ts'
import type { SeedContext } from '../shared/platform/module.ts'
import { buildModules, moduleWiring, registry, startModules } from '../shared/wiring/registry.ts'
import { type ModuleSettings, optionsFor } from '../shared/wiring/settings.ts'

// Monolith is every module wired in one process: routes, the relay and the one database
export interface Monolith {
  database: Database
  tokens: TokenIssuer
  relay: Relay
  serviceToken: string
  faults: FaultBoard
  // whether a user id still exists (tokens of deleted users are refused)
  userExists(id: string): Promise<boolean>
  modules: { name: string; routes: Hono<AppEnv, any, any> }[]
  close(): Promise<void>
}

// wireMonolith builds every module with its neighbours passed in directly, one SQLite file
// and the in-process mitt transport: the only place that decides "everything is local"
export async function wireMonolith(opts: {
  dbPath: string
  jwtSecret: string
  // the seeded logins: the admin's password and whether the demo customers may log in
  credentials?: SeedContext
  relayPaused?: boolean
  log?: (msg: string) => void
  // recovery and sweep intervals, ttls (and a test's crash point) for the checkout saga
  modules?: ModuleSettings
}): Promise<Monolith> {
  const log = opts.log ?? console.log
  const database = await openDatabase(opts.dbPath)
  const { db } = database
  const names = Object.keys(registry)
  migrate(db, busMigrations)
  for (const name of names) {
    const def = moduleWiring(name)
    if (def.migrations) migrate(db, def.migrations)
    await def.seed?.(db, opts.credentials)
  }

  const tokens = jwtIssuer(opts.jwtSecret, { audience: audienceOf('monolith') })
  const transport = mittTransport({
    retry: messaging,
    onDeadLetter: (group, event, error, attempts) =>
      recordDeadLetter(db, group, event, error, attempts),
    log,
  })
  const relay = new Relay(db, transport, { log })
  // chaos reaches modules through their callers: every in-process neighbour, and the service
  // behind each module's own routes, meets the faults injected into it
  const faults = new FaultBoard()
  const services = buildModules(
    names,
    {
      db: () => db,
      tokens,
      outbox: (source) => sqliteOutbox(source, relay.kick),
      options: (module) => optionsFor(opts.modules ?? {}, module, log),
    },
    () => undefined,
    (caller, callee, service) => withFaults(faults, caller, callee, service as object),
  )
  for (const name of names) {
    for (const c of moduleWiring(name).consumers ?? []) {
      transport.subscribe({
        topic: c.topic,
        group: c.group,
        handle: inboxed(db, c.group, c.handler),
      })
    }
  }
  if (!opts.relayPaused) relay.start()
  // checkout recovery, expired holds and authorisations: resumed or swept from the start
  const stopModules = startModules(names, services)

  return {
    database,
    tokens,
    relay,
    // internal routes come with each module's sub-app; nobody outside the process holds this
    // token, so they stay closed
    serviceToken: randomBytes(24).toString('hex'),
    faults,
    userExists: async (id) => (await (services.get('users') as Users).user(id)) !== null,
    modules: names.map((name) => ({
      name,
      routes: moduleWiring(name).routes(
        withFaults(faults, 'http', name, services.get(name) as object),
      ),
    })),
    async close() {
      await stopModules()
      await relay.stop()
      await transport.close()
      database.close()
    },
  }
}
