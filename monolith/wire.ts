import { randomBytes } from 'node:crypto'
import { dirname } from 'node:path'
import type { Users } from '../shared/contracts/users.ts'
import { recordDeadLetter } from '../shared/platform/bus/inbox.ts'
import { mittTransport } from '../shared/platform/bus/mitt.ts'
import type { Relay } from '../shared/platform/bus/relay.ts'
import { messaging } from '../shared/platform/config.ts'
import type { Database } from '../shared/platform/db/index.ts'
import type { SeedContext } from '../shared/platform/module.ts'
import { planFor } from '../shared/wiring/plan.ts'
import type { Registry } from '../shared/wiring/registry.ts'
import type { ModuleSettings } from '../shared/wiring/settings.ts'
import { type Wired, wire } from '../shared/wiring/wire.ts'

// Monolith is the one-group plan wired in this process, with what the monolith adds: its one
// database and relay, an internal token nobody outside holds, and the users lookup
export interface Monolith extends Omit<Wired, 'database' | 'relay'> {
  database: Database
  relay: Relay
  serviceToken: string
  // whether a user id still exists (tokens of deleted users are refused)
  userExists(id: string): Promise<boolean>
}

// wireMonolith wires every module in one process (the `monolith` layout): neighbours passed in
// directly, one SQLite file (monolith.db beside dbPath), the in-process mitt transport, and
// chaos wrapped around every in-process call
export async function wireMonolith(opts: {
  dbPath: string
  jwtSecret: string
  credentials?: SeedContext
  relayPaused?: boolean
  log?: (msg: string) => void
  modules?: ModuleSettings
  // the manifests to deploy (tests add a fixture module)
  registry?: Registry
}): Promise<Monolith> {
  const log = opts.log ?? console.log
  const plan = planFor('monolith', { registry: opts.registry })
  const group = plan.services[0]!
  group.database = opts.dbPath.slice(dirname(opts.dbPath).length + 1)
  const wired = await wire(plan, group, {
    dataDir: dirname(opts.dbPath),
    jwtSecret: opts.jwtSecret,
    deployment: 'monolith',
    credentials: opts.credentials,
    transport: (db) =>
      mittTransport({
        retry: messaging,
        onDeadLetter: (group, event, error, attempts) =>
          recordDeadLetter(db!, group, event, error, attempts),
        log,
      }),
    relayPaused: opts.relayPaused,
    faultsBy: 'module',
    modules: opts.modules,
    log,
  })
  return {
    ...wired,
    database: wired.database!,
    relay: wired.relay!,
    // internal routes come with each module's sub-app; nobody outside the process holds this
    // token, so they stay closed
    serviceToken: randomBytes(24).toString('hex'),
    userExists: async (id) => (await (wired.services.get('users') as Users).user(id)) !== null,
  }
}
