import type { Endpoint } from '../contracts/api.ts'
import { catalog } from '../modules/catalog/index.ts'
import { checkout } from '../modules/checkout/index.ts'
import { creditCheck } from '../modules/credit-check/index.ts'
import { inventory } from '../modules/inventory/index.ts'
import { loanApproval } from '../modules/loan-approval/index.ts'
import { loanValidation } from '../modules/loan-validation/index.ts'
import { notifications } from '../modules/notifications/index.ts'
import { orders } from '../modules/orders/index.ts'
import { payments } from '../modules/payments/index.ts'
import { pricing } from '../modules/pricing/index.ts'
import { reporting } from '../modules/reporting/index.ts'
import { reviews } from '../modules/reviews/index.ts'
import { shipping } from '../modules/shipping/index.ts'
import { storefront } from '../modules/storefront/index.ts'
import { users } from '../modules/users/index.ts'
import type { Outbox } from '../platform/bus/outbox.ts'
import { alone, type Db, type Together } from '../platform/db/index.ts'
import type { TokenIssuer } from '../platform/http/auth.ts'
import type { AnyModule, Needs } from '../platform/module.ts'

// Registry is the list of module manifests a deployment is made of, in port order
export type Registry = readonly AnyModule[]

// registry is every module of shared/modules: the one list both deployments wire from (the
// micro layout gives them ports in this order)
export const registry: Registry = [
  users,
  catalog,
  pricing,
  reviews,
  inventory,
  storefront,
  orders,
  checkout,
  payments,
  shipping,
  notifications,
  reporting,
  loanValidation,
  creditCheck,
  loanApproval,
]

// moduleWiring finds a module's manifest or throws with the known names
export function moduleWiring(name: string, reg: Registry = registry): AnyModule {
  const m = reg.find((x) => x.name === name)
  if (!m) throw new Error(`unknown module ${name} (known: ${reg.map((x) => x.name).join(', ')})`)
  return m
}

// needsOf names the modules a module calls (the implementers of the contracts it needs)
export const needsOf = (m: AnyModule): string[] =>
  Object.values(m.needs as Needs).map((c) => c.module)

// checkRegistry throws when a manifest is inconsistent: a name twice, a contract nobody in the
// registry implements, a contract implemented under another name, a need of nobody
export function checkRegistry(reg: Registry): void {
  const names = new Set<string>()
  for (const m of reg) {
    if (names.has(m.name)) throw new Error(`module ${m.name} is registered twice`)
    names.add(m.name)
    if (m.implements.module !== m.name)
      throw new Error(`module ${m.name} implements the contract of ${m.implements.module}`)
  }
  for (const m of reg) {
    for (const need of needsOf(m)) {
      if (!names.has(need)) throw new Error(`module ${m.name} needs ${need}, which no module is`)
    }
  }
}

// closure lists a module's needs, theirs, and so on (not the module itself)
export function closure(name: string, reg: Registry = registry): Set<string> {
  const seen = new Set<string>()
  const visit = (n: string) => {
    for (const need of needsOf(moduleWiring(n, reg))) {
      if (!seen.has(need)) {
        seen.add(need)
        visit(need)
      }
    }
  }
  visit(name)
  return seen
}

// consumerGroups lists, per topic, the consumer groups of the given modules (the queue
// registers them before anyone publishes, so nothing is missed)
export function consumerGroups(reg: Registry = registry): Record<string, string[]> {
  const groups: Record<string, string[]> = {}
  for (const m of reg) {
    for (const c of m.consumers) {
      const list = groups[c.topic] ?? []
      if (!list.includes(c.group)) list.push(c.group)
      groups[c.topic] = list
    }
  }
  return groups
}

// publicEndpoints is the public API of the registry's modules, for the OpenAPI document
export const publicEndpoints = (reg: Registry = registry): Endpoint[] => reg.flatMap((m) => m.api)

// endpointKey names an endpoint as manifests' `uses` do: 'GET /api/products/{id}'
export const endpointKey = (e: Pick<Endpoint, 'method' | 'path'>) =>
  `${e.method.toUpperCase()} ${e.path}`

// endpointsNeeding lists the public endpoints ('METHOD /path') that fail or degrade when the
// given modules are down: those they serve, and those whose module calls them on the way,
// directly or through a neighbour (a manifest's `uses` narrows an endpoint's needs)
export function endpointsNeeding(modules: string[], reg: Registry = registry): string[] {
  const down = new Set(modules)
  const out: string[] = []
  for (const m of reg) {
    for (const e of m.api) {
      const key = endpointKey(e)
      const used: string[] = m.uses?.[key] ?? Object.keys(m.needs)
      const reached = new Set<string>()
      for (const local of used) {
        const callee = (m.needs as Needs)[local]!.module
        reached.add(callee)
        for (const n of closure(callee, reg)) reached.add(n)
      }
      if (down.has(m.name) || [...reached].some((n) => down.has(n))) out.push(key)
    }
  }
  return out
}

// Wiring is what a deployment gives every module it builds: the database, the token issuer,
// an outbox per module, and constructor options per module
export interface Wiring {
  db(): Db
  tokens: TokenIssuer
  outbox(source: string): Outbox
  options?(module: string): Record<string, unknown>
  // whether calls to a module would be tried now (false while its link's breaker refuses)
  reachable?(module: string): boolean
  // one read snapshot on the group's database (Database.readTogether), for modules with two
  // or more needs in this process
  readTogether?: Together
}

// buildModules builds the named modules and, lazily, any local neighbour they need; a neighbour
// that remote() answers for comes back as whatever remote() returns (a client), a local one
// passes through wrap(caller, callee, service) (the monolith's fault injection)
export function buildModules(
  names: string[],
  base: Wiring,
  remote: (module: string) => unknown | undefined,
  wrap: (caller: string, callee: string, service: unknown) => unknown = (_c, _t, s) => s,
  reg: Registry = registry,
): Map<string, unknown> {
  const built = new Map<string, unknown>()
  function get(name: string): unknown {
    if (!built.has(name)) {
      const m = moduleWiring(name, reg)
      const needs: Record<string, unknown> = {}
      let inProcess = 0
      for (const [local, c] of Object.entries(m.needs as Needs)) {
        const far = remote(c.module)
        if (far === undefined) inProcess++
        needs[local] = far !== undefined ? far : wrap(name, c.module, get(c.module))
      }
      built.set(
        name,
        m.build({
          db: base.db,
          tokens: base.tokens,
          outbox: () => base.outbox(name),
          options: base.options?.(name) ?? {},
          needs,
          reachable: (need) => base.reachable?.((m.needs as Needs)[need]!.module) ?? true,
          // needs in this process share the group's one database: their reads can share a
          // snapshot; with one or none there is nothing to share
          together: inProcess >= 2 ? (base.readTogether ?? alone) : alone,
          snapshot: base.readTogether ?? alone,
        }),
      )
    }
    return built.get(name)
  }
  for (const name of names) get(name)
  return built
}

// startModules starts the background work of the named modules (built by buildModules) and
// answers one function that stops it all
export function startModules(
  names: string[],
  built: Map<string, unknown>,
  reg: Registry = registry,
): () => Promise<void> {
  const stops = names.flatMap((name) => {
    const start = moduleWiring(name, reg).start
    return start ? [start(built.get(name))] : []
  })
  return async () => {
    await Promise.all(stops.map((stop) => stop()))
  }
}
