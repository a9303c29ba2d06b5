import { join } from 'node:path'
import { type LimitSettings, limitSettings } from '../shared/platform/config.ts'
import {
  loadSecrets,
  type Secrets,
  type SecurityMode,
  securityMode,
} from '../shared/platform/secrets.ts'
import { planFor } from '../shared/wiring/plan.ts'
import { type ModuleSettings, moduleSettings } from '../shared/wiring/settings.ts'
import { serviceNamed, type Topology } from './topology.ts'

// MicroConfig is what every process of the microservices deployment reads from its environment
export interface MicroConfig {
  host: string
  dataDir: string
  // --demo, --production, --open-ops, handed to every process as TWINSTACK_DEMO/OPEN_OPS
  mode: SecurityMode
  limits: LimitSettings
  // from the data directory (generated on first start), env overrides
  secrets: Secrets
  jwtSecret: string
  serviceToken: string
  topology: Topology
  // where services on Bun also listen on unix domain sockets, which callers on this host use
  // instead of TCP (null: TCP only, TWINSTACK_UNIX_SOCKETS=0)
  socketDir: string | null
  // checkout saga knobs (TWINSTACK_RECOVER_MS and friends, see shared/wiring/settings.ts)
  modules?: ModuleSettings
}

// shifted moves every port of the topology so a second deployment (tests, bench) can run beside
// the default one: gateway on base, services at the same offsets from it
export function shifted(t: Topology, base: number): Topology {
  const delta = base - t.gateway.port
  return {
    ...t,
    gateway: { port: base },
    services: t.services.map((s) => ({ ...s, port: s.port + delta })),
  }
}

// withReplicas overrides replica counts, e.g. TWINSTACK_REPLICAS="storefront=3,catalog=2"
export function withReplicas(t: Topology, spec: string | undefined): Topology {
  if (!spec) return t
  const counts = new Map(
    spec.split(',').map((pair) => {
      const [name, n] = pair.split('=')
      return [name!.trim(), Number(n)] as const
    }),
  )
  return {
    ...t,
    services: t.services.map((s) =>
      counts.has(s.name) ? { ...s, replicas: Math.max(1, Math.min(9, counts.get(s.name)!)) } : s,
    ),
  }
}

// withNodeServices runs the named services on Node (TWINSTACK_NODE_SERVICES="payments,shipping")
export function withNodeServices(t: Topology, names: string | undefined): Topology {
  if (!names) return t
  const wanted = new Set(
    names
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  )
  for (const name of wanted) serviceNamed(name, t)
  return {
    ...t,
    services: t.services.map((s) => (wanted.has(s.name) ? { ...s, runtime: 'node' as const } : s)),
  }
}

// socketDirIn is where the services of a data directory listen on unix sockets (replicaSockets)
export const socketDirIn = (dataDir: string) => join(dataDir, 'sockets')

// microConfig reads env (the supervisor passes the same env down) and the data directory's
// secrets; throws when --production meets weak credentials, the service token is missing or
// TWINSTACK_LAYOUT (monolith, micro, by-domain or a custom layout: shared/wiring/plan.ts) is bad
export function microConfig(env = process.env): MicroConfig {
  // the layout is checked here, before any process starts (planFor names the problem)
  let t = planFor(env.TWINSTACK_LAYOUT ?? 'micro')
  if (env.TWINSTACK_PORT_BASE) t = shifted(t, Number(env.TWINSTACK_PORT_BASE))
  t = withReplicas(t, env.TWINSTACK_REPLICAS)
  t = withNodeServices(t, env.TWINSTACK_NODE_SERVICES)
  const dataDir = env.TWINSTACK_DATA ?? join(process.cwd(), 'data', 'micro')
  const mode = securityMode([], env)
  const secrets = loadSecrets(dataDir, mode, env)
  // runMicro makes one per run; a process without it cannot tell the gateway from a stranger
  const serviceToken = env.TWINSTACK_SERVICE_TOKEN
  if (!serviceToken || serviceToken.length < 32)
    throw new Error(
      'TWINSTACK_SERVICE_TOKEN (≥ 32 characters) is required; `twinstack micro` sets it',
    )
  return {
    host: env.HOST ?? '127.0.0.1',
    dataDir,
    mode,
    limits: limitSettings(env),
    secrets,
    jwtSecret: secrets.jwtSecret,
    serviceToken,
    topology: t,
    socketDir: env.TWINSTACK_UNIX_SOCKETS === '0' ? null : socketDirIn(dataDir),
    modules: moduleSettings(env),
  }
}
