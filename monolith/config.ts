import { join } from 'node:path'
import { type LimitSettings, limitSettings } from '../shared/platform/config.ts'
import { type SecurityMode, securityMode } from '../shared/platform/secrets.ts'
import { type ModuleSettings, moduleSettings } from '../shared/wiring/settings.ts'

// MonolithConfig is everything the monolith reads from its environment and arguments
export interface MonolithConfig {
  host: string
  port: number
  dataDir: string
  // --demo, --production, --open-ops (secrets come from the data directory: loadSecrets)
  mode: SecurityMode
  limits: LimitSettings
  reset: boolean
  // start with the outbox relay paused (events wait in the outbox): a chaos knob for tests
  relayPaused: boolean
  // SO_REUSEPORT: several monolith processes share the port and the kernel spreads connections
  // (the monolith's way to scale out on one machine, and to restart without a gap)
  reusePort: boolean
  // checkout saga knobs (TWINSTACK_RECOVER_MS and friends, see shared/wiring/settings.ts)
  modules: ModuleSettings
}

// monolithConfig reads env and arguments; secrets are not here but in the data directory
export function monolithConfig(argv = process.argv.slice(2), env = process.env): MonolithConfig {
  const portArg = argv.find((a) => a.startsWith('--port='))?.slice('--port='.length)
  return {
    host: env.HOST ?? '127.0.0.1',
    port: Number(portArg ?? env.PORT ?? 3000),
    dataDir: env.TWINSTACK_DATA ?? join(process.cwd(), 'data'),
    mode: securityMode(argv, env),
    limits: limitSettings(env),
    reset: argv.includes('--reset'),
    relayPaused: env.TWINSTACK_RELAY_PAUSED === '1',
    reusePort: env.TWINSTACK_REUSE_PORT === '1',
    modules: moduleSettings(env),
  }
}
