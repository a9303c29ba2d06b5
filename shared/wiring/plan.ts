import { join } from 'node:path'
import {
  checkRegistry,
  consumerGroups,
  moduleWiring,
  needsOf,
  type Registry,
  registry,
} from './registry.ts'

// A plan says how the modules of the registry are deployed: which process groups run which
// modules, on which runtime, ports, replicas and database files. A process group is what the
// micro deployment calls a service: `twinstack micro` runs one process per replica of each,
// behind the gateway; the monolith deployment is the one-group plan. Every layout is checked
// before anything starts (planFor throws a sentence naming the problem).

// Runtime is the program a group's processes run on
export type Runtime = 'bun' | 'node'
export const RUNTIMES: readonly Runtime[] = ['bun', 'node']

// ServiceSpec is one process group of a plan, everything derived from its modules' manifests
export interface ServiceSpec {
  name: string
  modules: string[]
  runtime: Runtime
  // first replica's port; replica i listens on port + i
  port: number
  replicas: number
  // database file in the data directory (the group's modules' tables), or null when none of
  // its modules keeps any
  database: string | null
  // public path patterns (Hono syntax) the gateway routes to this group
  routes: string[]
  // the groups whose modules this one calls over HTTP
  calls: string[]
  // the machine it runs on; every group is on one host today ('local')
  host: string
}

// SharedData is a set of modules reading each other's tables in one database file (the
// Shared-Data pattern): wherever they are placed, their groups open that one file
export interface SharedData {
  modules: string[]
  database: string
}

// Plan is a whole deployment: the gateway, the groups, the queue file and consumer groups
export interface Plan {
  // the layout it was made from: monolith, micro, by-domain or a custom string
  layout: string
  gateway: { port: number }
  queue: string
  // consumer groups per topic (from the manifests), registered before anyone publishes
  groups: Record<string, string[]>
  services: ServiceSpec[]
  sharedData: SharedData[]
  // the manifests it was made from
  registry: Registry
}

// GroupDraft is a group as a layout names it, before ports, files, routes and calls
export interface GroupDraft {
  name?: string
  modules: string[]
  runtime?: string
  replicas?: number
  host?: string
}

// SHARED_DATA: users and orders share one database (the seed's Shared-Data pattern: a user's
// order list is one query over both tables), so their groups, wherever they are, share a file
export const SHARED_DATA: readonly (readonly string[])[] = [['users', 'orders']]

// COLOCATED: a module left unplaced joins the group of another: checkout lives with orders
// (its saga log beside the order store, as the micro deployment has always run it)
const COLOCATED: Record<string, string> = { checkout: 'orders' }

// FILES keeps the micro deployment's historical file names for groups named after a module
const FILES: Record<string, string> = { 'loan-validation': 'loans.db', 'credit-check': 'credit.db' }

// REPLICAS: the aggregator runs twice in the micro layout (the product page's hot path)
const MICRO_REPLICAS: Record<string, number> = { storefront: 2 }

// BY_DOMAIN groups modules by what changes together and what the traffic does, and splits what
// fails apart: reads of the shop (the product page and search touch these five and nothing
// else: one process answers a product page without a hop), writes of the shop (a checkout's
// branch — stock and the card excepted — and the users/orders shared data stay in one process
// and one file), payments alone (it talks to the card network, the dependency most likely to
// fail or stall on its own: its outage takes checkout and nothing else), the event consumers
// (both only read events and serve admin/customer lists), and the loan chain (three links,
// one process). Stock lives with the reads because every page shows it; checkout reaches it
// over HTTP, as in the micro layout
const BY_DOMAIN: { name: string; modules: string[] }[] = [
  { name: 'shop-reads', modules: ['storefront', 'catalog', 'pricing', 'reviews', 'inventory'] },
  { name: 'shop-writes', modules: ['users', 'orders', 'checkout', 'shipping'] },
  { name: 'payments', modules: ['payments'] },
  { name: 'messaging', modules: ['notifications', 'reporting'] },
  { name: 'loans', modules: ['loan-validation', 'credit-check', 'loan-approval'] },
]

// LAYOUTS are the named layouts
export const LAYOUTS = ['monolith', 'micro', 'by-domain'] as const

// PlanOptions: the gateway's port (groups from port + 100, ten apart) and the manifests
export interface PlanOptions {
  gatewayPort?: number
  registry?: Registry
}

// layoutDrafts turns a layout name or custom string into group drafts (unplaced modules are
// added by planFor)
export function layoutDrafts(layout: string, reg: Registry = registry): GroupDraft[] {
  switch (layout) {
    case 'monolith':
      return [{ name: 'monolith', modules: reg.map((m) => m.name) }]
    case 'micro':
      return []
    case 'by-domain': {
      const known = new Set(reg.map((m) => m.name))
      return BY_DOMAIN.map((g) => ({ ...g, modules: g.modules.filter((m) => known.has(m)) }))
    }
    default:
      return parseLayout(layout)
  }
}

// parseLayout reads a custom layout: groups separated by commas, modules by `+`, an optional
// `node:` (or `bun:`) prefix for the group's runtime and `name=` for its name, e.g.
// "storefront+catalog,node:loans=loan-validation+credit-check"
export function parseLayout(text: string): GroupDraft[] {
  const groups = text.split(',').map((g) => g.trim())
  if (!text.trim() || groups.some((g) => !g))
    throw new Error(`layout "${text}" has an empty group (groups are separated by commas)`)
  return groups.map((g) => {
    let rest = g
    let runtime: string | undefined
    let name: string | undefined
    const colon = rest.indexOf(':')
    if (colon >= 0) {
      runtime = rest.slice(0, colon).trim()
      rest = rest.slice(colon + 1)
    }
    const eq = rest.indexOf('=')
    if (eq >= 0) {
      name = rest.slice(0, eq).trim()
      rest = rest.slice(eq + 1)
      if (!/^[a-z][a-z0-9-]*$/.test(name))
        throw new Error(`group name "${name}" in layout "${text}" is not a lowercase name`)
    }
    const modules = rest.split('+').map((m) => m.trim())
    if (modules.some((m) => !m))
      throw new Error(`group "${g}" of layout "${text}" names an empty module`)
    return { name, modules, runtime }
  })
}

// planFor makes and checks the plan of a layout: a named one (monolith, micro, by-domain) or a
// custom string; modules no group names get a process each (checkout joins orders)
export function planFor(layout: string, opts: PlanOptions = {}): Plan {
  const reg = opts.registry ?? registry
  const named = (LAYOUTS as readonly string[]).includes(layout)
  let drafts: GroupDraft[]
  try {
    drafts = layoutDrafts(layout, reg)
  } catch (error) {
    throw new Error(`${(error as Error).message}${hint(reg)}`)
  }
  try {
    return makePlan(layout, drafts, { ...opts, registry: reg, replicas: layout === 'micro' })
  } catch (error) {
    throw new Error(`${(error as Error).message}${named ? '' : hint(reg)}`)
  }
}

const hint = (reg: Registry) =>
  ` (named layouts: ${LAYOUTS.join(', ')}; modules: ${reg.map((m) => m.name).join(', ')})`

// Placed is a group once every module has a place
interface Placed {
  name: string
  modules: string[]
  runtime: string
  replicas?: number
  host: string
}

// makePlan places the drafts and every unplaced module, gives ports, files, routes and calls,
// and checks the result
export function makePlan(
  layout: string,
  drafts: GroupDraft[],
  opts: PlanOptions & { replicas?: boolean } = {},
): Plan {
  const reg = opts.registry ?? registry
  checkRegistry(reg)
  const gatewayPort = opts.gatewayPort ?? 4000
  const groups = place(layout, drafts, reg)
  for (const g of groups) {
    if (!(RUNTIMES as readonly string[]).includes(g.runtime))
      throw new Error(
        `unknown runtime "${g.runtime}" for group ${g.name} of layout "${layout}" (${RUNTIMES.join(' or ')})`,
      )
  }
  const { database, sharedData } = files(layout, groups, reg)
  const plan: Plan = {
    layout,
    gateway: { port: gatewayPort },
    queue: 'queue.db',
    groups: consumerGroups(reg),
    services: groups.map((g, i) => ({
      name: g.name,
      modules: g.modules,
      runtime: g.runtime as Runtime,
      port: gatewayPort + 100 + 10 * i,
      replicas: g.replicas ?? (opts.replicas ? (MICRO_REPLICAS[g.name] ?? 1) : 1),
      database: database.get(g.name) ?? null,
      routes: g.modules.flatMap((m) => moduleWiring(m, reg).publicRoutes),
      calls: [],
      host: g.host,
    })),
    sharedData,
    registry: reg,
  }
  // a group calls the groups hosting what its modules need, unless it builds that in-process
  for (const s of plan.services) {
    const called = new Set<string>()
    for (const m of s.modules) {
      for (const need of needsOf(moduleWiring(m, reg))) {
        if (!isLocal(plan, s, need)) called.add(hostOf(plan, need).name)
      }
    }
    s.calls = plan.services.map((x) => x.name).filter((n) => called.has(n))
  }
  return plan
}

// place checks the drafts' modules (known, placed once, groups named once) and gives every
// module nobody placed a place: beside its partner if it has one, else a process of its own
function place(layout: string, drafts: GroupDraft[], reg: Registry): Placed[] {
  const placedIn = new Map<string, string>()
  const groups: Placed[] = []
  for (const d of drafts) {
    if (!d.modules.length) throw new Error(`a group of layout "${layout}" has no module`)
    const name = d.name ?? d.modules[0]!
    if (groups.some((g) => g.name === name))
      throw new Error(`two groups of layout "${layout}" are named ${name}`)
    for (const m of d.modules) {
      if (!reg.some((x) => x.name === m))
        throw new Error(`unknown module "${m}" in layout "${layout}"`)
      const before = placedIn.get(m)
      if (before !== undefined)
        throw new Error(
          `module ${m} is placed twice in layout "${layout}" (groups ${before} and ${name})`,
        )
      placedIn.set(m, name)
    }
    groups.push({
      name,
      modules: [...d.modules],
      runtime: d.runtime ?? 'bun',
      replicas: d.replicas,
      host: d.host ?? 'local',
    })
  }
  for (const m of reg) {
    if (placedIn.has(m.name)) continue
    const partner = COLOCATED[m.name]
    const home = partner ? groups.find((g) => g.modules.includes(partner)) : undefined
    if (home) home.modules.push(m.name)
    else if (groups.some((g) => g.name === m.name))
      throw new Error(
        `module ${m.name} is left unplaced but a group of layout "${layout}" is named ${m.name}`,
      )
    else groups.push({ name: m.name, modules: [m.name], runtime: 'bun', host: 'local' })
    placedIn.set(m.name, home?.name ?? m.name)
  }
  return groups
}

// files gives each group its database file: its own (named after it) when any of its modules
// keeps tables, an inbox or an outbox; groups holding shared data all open that data's one
// file, which only works on one host
function files(layout: string, groups: Placed[], reg: Registry) {
  const keepsTables = (names: string[]) =>
    names
      .map((n) => moduleWiring(n, reg))
      .some((m) => m.migrations || m.seed || m.consumers.length || m.publishes.length)
  const database = new Map<string, string | null>(
    groups.map((g) => [g.name, keepsTables(g.modules) ? (FILES[g.name] ?? `${g.name}.db`) : null]),
  )
  const sharedData: SharedData[] = []
  for (const set of SHARED_DATA) {
    const members = set.filter((m) => groups.some((g) => g.modules.includes(m)))
    if (members.length < 2) continue
    const homes = members.map((m) => groups.find((g) => g.modules.includes(m))!)
    if (new Set(homes.map((g) => g.host)).size > 1)
      throw new Error(
        `shared data split across hosts in layout "${layout}": ${members
          .map((m, i) => `${m} (group ${homes[i]!.name} on ${homes[i]!.host})`)
          .join(' and ')} read one database file and must run on one host`,
      )
    const names = [...new Set(homes.map((g) => g.name))]
    const file = names.length === 1 ? database.get(names[0]!)! : `${members.join('-')}.db`
    for (const n of names) database.set(n, file)
    sharedData.push({ modules: members, database: file })
  }
  return { database, sharedData }
}

// hostOf finds the group that runs a module
export function hostOf(plan: Plan, module: string): ServiceSpec {
  const s = plan.services.find((x) => x.modules.includes(module))
  if (!s) throw new Error(`no group of layout "${plan.layout}" runs module ${module}`)
  return s
}

// isLocal tells whether a group builds a module in its own process: one of its modules, or
// one sharing data with one of them (it reads that module's tables in its own database file)
export function isLocal(plan: Plan, group: ServiceSpec, module: string): boolean {
  if (group.modules.includes(module)) return true
  const shared = plan.sharedData.find((d) => d.modules.includes(module))
  return (
    shared !== undefined &&
    group.database === shared.database &&
    group.modules.some((m) => shared.modules.includes(m))
  )
}

// modulesOfDatabase lists every module whose tables live in a database file
export function modulesOfDatabase(plan: Plan, file: string): string[] {
  return plan.services.filter((s) => s.database === file).flatMap((s) => s.modules)
}

// serviceNamed finds a group of the plan or throws with the known names
export function serviceNamed(name: string, plan: Plan): ServiceSpec {
  const s = plan.services.find((x) => x.name === name)
  if (!s)
    throw new Error(
      `no service named ${name} (known: ${plan.services.map((x) => x.name).join(', ')})`,
    )
  return s
}

// replicaUrls lists the loopback URLs of a group's replicas
export const replicaUrls = (s: ServiceSpec, host = '127.0.0.1') =>
  Array.from({ length: s.replicas }, (_, i) => `http://${host}:${s.port + i}`)

// a unix socket's path must fit in sockaddr_un (108 bytes with its terminating zero)
const MAX_SOCKET_PATH = 100

// replicaSockets lists where a group's replicas also listen on a unix domain socket, in
// replica order, when its processes run on Bun and dir is given (undefined where a replica has
// none: calls to it go over TCP). Between processes of one host a call over a unix socket skips
// the kernel's TCP stack: 15–18 % less CPU per round trip than over loopback TCP (measured on a
// bare fetch → Bun.serve pair)
export const replicaSockets = (s: ServiceSpec, dir: string | null | undefined) =>
  Array.from({ length: s.replicas }, (_, i) => {
    if (!dir || s.runtime !== 'bun') return undefined
    const path = join(dir, `${s.name}-${i}.sock`)
    return Buffer.byteLength(path) <= MAX_SOCKET_PATH ? path : undefined
  })

// routeTable is the gateway's table: each public path pattern and the group it goes to
export const routeTable = (plan: Plan) =>
  plan.services.flatMap((s) => s.routes.map((pattern) => ({ pattern, group: s.name })))
