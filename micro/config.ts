import { join } from 'node:path'
import { type ModuleSettings, moduleSettings } from '../shared/wiring/settings.ts'
import { type Topology, topology } from './topology.ts'

// MicroConfig is what every process of the microservices deployment reads from its environment
export interface MicroConfig {
  host: string
  dataDir: string
  jwtSecret: string
  serviceToken: string
  topology: Topology
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

// microConfig reads env with development defaults; the supervisor passes the same env down
export function microConfig(env = process.env): MicroConfig {
  let t = topology
  if (env.TWINSTACK_PORT_BASE) t = shifted(t, Number(env.TWINSTACK_PORT_BASE))
  t = withReplicas(t, env.TWINSTACK_REPLICAS)
  return {
    host: env.HOST ?? '127.0.0.1',
    dataDir: env.TWINSTACK_DATA ?? join(process.cwd(), 'data', 'micro'),
    jwtSecret: env.JWT_SECRET ?? 'twinstack-dev-secret-change-me',
    serviceToken: env.TWINSTACK_SERVICE_TOKEN ?? 'twinstack-dev-service-token',
    topology: t,
    modules: moduleSettings(env),
  }
}
