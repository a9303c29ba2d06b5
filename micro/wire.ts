import { join } from 'node:path'
import { sqliteQueue } from '../shared/platform/bus/sqlite-queue.ts'
import { messaging } from '../shared/platform/config.ts'
import type { ServiceSpec } from '../shared/wiring/plan.ts'
import { type Wired, wire } from '../shared/wiring/wire.ts'
import type { MicroConfig } from './config.ts'

// wireService wires one group of the configured plan for its own process: events through the
// queue file every process shares, other groups reached over HTTP with the service token
export function wireService(
  spec: ServiceSpec,
  config: MicroConfig,
  log: (msg: string) => void = console.log,
): Promise<Wired> {
  const plan = config.topology
  return wire(plan, spec, {
    dataDir: config.dataDir,
    jwtSecret: config.jwtSecret,
    deployment: 'micro',
    credentials: {
      adminPassword: config.secrets.adminPassword,
      demoLogins: config.mode.demo,
      sync: !config.secrets.loginsApplied,
    },
    transport: () =>
      sqliteQueue(join(config.dataDir, plan.queue), { groups: plan.groups, retry: messaging, log }),
    host: config.host,
    serviceToken: config.serviceToken,
    socketDir: config.socketDir,
    faultsBy: 'group',
    modules: config.modules,
    log,
  })
}
