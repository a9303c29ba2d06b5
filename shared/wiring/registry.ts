import type { Hono } from 'hono'
import { CatalogService, catalog, catalogClient, catalogRoutes } from '../modules/catalog/index.ts'
import {
  CheckoutService,
  checkout,
  checkoutClient,
  checkoutRoutes,
} from '../modules/checkout/index.ts'
import {
  CreditCheckService,
  creditCheck,
  creditCheckClient,
  creditCheckRoutes,
} from '../modules/credit-check/index.ts'
import {
  InventoryService,
  inventory,
  inventoryClient,
  inventoryRoutes,
} from '../modules/inventory/index.ts'
import {
  LoanApprovalService,
  loanApproval,
  loanApprovalClient,
  loanApprovalRoutes,
} from '../modules/loan-approval/index.ts'
import {
  LoanValidationService,
  loanValidation,
  loanValidationClient,
  loanValidationRoutes,
} from '../modules/loan-validation/index.ts'
import {
  NotificationsService,
  notifications,
  notificationsClient,
  notificationsConsumers,
  notificationsRoutes,
} from '../modules/notifications/index.ts'
import { OrdersService, orders, ordersClient, ordersRoutes } from '../modules/orders/index.ts'
import {
  PaymentsService,
  payments,
  paymentsClient,
  paymentsRoutes,
} from '../modules/payments/index.ts'
import { PricingService, pricing, pricingClient, pricingRoutes } from '../modules/pricing/index.ts'
import {
  ReportingService,
  reporting,
  reportingClient,
  reportingConsumers,
  reportingRoutes,
} from '../modules/reporting/index.ts'
import { ReviewsService, reviews, reviewsClient, reviewsRoutes } from '../modules/reviews/index.ts'
import {
  ShippingService,
  shipping,
  shippingClient,
  shippingRoutes,
} from '../modules/shipping/index.ts'
import {
  StorefrontService,
  storefront,
  storefrontClient,
  storefrontRoutes,
} from '../modules/storefront/index.ts'
import { UsersService, users, usersClient, usersRoutes } from '../modules/users/index.ts'
import type { Outbox } from '../platform/bus/outbox.ts'
import { resilience } from '../platform/config.ts'
import type { Db } from '../platform/db/index.ts'
import type { TokenIssuer } from '../platform/http/auth.ts'
import type { AppEnv } from '../platform/http/env.ts'
import type { Fetch } from '../platform/http/remote.ts'
import type { Consumer, ModuleDef } from '../platform/module.ts'

// Wiring is what a deployment hands to a module's factory: its database, token issuer, an
// outbox, and its neighbours, which the deployment decides to be local objects or HTTP clients
export interface Wiring {
  db(): Db
  tokens: TokenIssuer
  outbox(source: string): Outbox
  neighbour<T>(module: string): T
  // constructor options the deployment sets for a module (recovery and sweep intervals, ttls)
  options?(module: string): Record<string, unknown>
}

// ModuleWiring says how to build, serve and reach one module
export interface ModuleWiring {
  def: ModuleDef
  build(w: Wiring): unknown
  routes(service: any): Hono<AppEnv, any, any>
  client(base: string, fetch: Fetch): unknown
  consumers?: Consumer[]
  // start runs the module's background work (recovery, sweeps) where it is served; the answer
  // stops it
  start?(service: any): () => void | Promise<void>
}

const entry = <S>(m: {
  def: ModuleDef
  build(w: Wiring): S
  routes(service: S): Hono<AppEnv, any, any>
  client(base: string, fetch: Fetch): S
  consumers?: Consumer[]
  start?(service: S): () => void | Promise<void>
}): ModuleWiring => m as ModuleWiring

// registry lists every module of shared/modules by name: the one table both deployments wire from
export const registry: Record<string, ModuleWiring> = {
  users: entry({
    def: users,
    build: (w) => new UsersService(w.db(), w.tokens),
    routes: usersRoutes,
    client: usersClient,
  }),
  catalog: entry({
    def: catalog,
    build: (w) => new CatalogService(w.db()),
    routes: catalogRoutes,
    client: catalogClient,
  }),
  pricing: entry({
    def: pricing,
    build: (w) => new PricingService(w.db()),
    routes: pricingRoutes,
    client: pricingClient,
  }),
  reviews: entry({
    def: reviews,
    build: (w) => new ReviewsService(w.db(), w.neighbour('catalog')),
    routes: reviewsRoutes,
    client: reviewsClient,
  }),
  inventory: entry({
    def: inventory,
    build: (w) => new InventoryService(w.db(), w.options?.('inventory')),
    routes: inventoryRoutes,
    client: inventoryClient,
    start: (s) => (s as InventoryService).start(),
  }),
  storefront: entry({
    def: storefront,
    build: (w) =>
      new StorefrontService(
        w.neighbour('catalog'),
        w.neighbour('pricing'),
        w.neighbour('reviews'),
        w.neighbour('inventory'),
        { partDeadlineMs: resilience.aggregatePartDeadlineMs },
      ),
    routes: storefrontRoutes,
    client: storefrontClient,
  }),
  payments: entry({
    def: payments,
    build: (w) => new PaymentsService(w.db(), w.outbox('payments'), w.options?.('payments')),
    routes: paymentsRoutes,
    client: paymentsClient,
    start: (s) => (s as PaymentsService).start(),
  }),
  shipping: entry({
    def: shipping,
    build: () => new ShippingService(),
    routes: shippingRoutes,
    client: shippingClient,
  }),
  orders: entry({
    def: orders,
    build: (w) => new OrdersService(w.db(), w.outbox('orders'), w.neighbour('users')),
    routes: ordersRoutes,
    client: ordersClient,
  }),
  checkout: entry({
    def: checkout,
    build: (w) =>
      new CheckoutService(
        w.db(),
        {
          catalog: w.neighbour('catalog'),
          pricing: w.neighbour('pricing'),
          inventory: w.neighbour('inventory'),
          payments: w.neighbour('payments'),
          shipping: w.neighbour('shipping'),
          orders: w.neighbour('orders'),
        },
        w.options?.('checkout'),
      ),
    routes: checkoutRoutes,
    client: checkoutClient,
    start: (s) => (s as CheckoutService).start(),
  }),
  notifications: entry({
    def: notifications,
    build: (w) => new NotificationsService(w.db()),
    routes: notificationsRoutes,
    client: notificationsClient,
    consumers: notificationsConsumers,
  }),
  reporting: entry({
    def: reporting,
    build: (w) => new ReportingService(w.db(), w.neighbour('orders')),
    routes: reportingRoutes,
    client: reportingClient,
    consumers: reportingConsumers,
  }),
  'loan-validation': entry({
    def: loanValidation,
    build: (w) => new LoanValidationService(w.db(), w.neighbour('credit-check')),
    routes: loanValidationRoutes,
    client: loanValidationClient,
  }),
  'credit-check': entry({
    def: creditCheck,
    build: (w) => new CreditCheckService(w.db(), w.neighbour('loan-approval')),
    routes: creditCheckRoutes,
    client: creditCheckClient,
  }),
  'loan-approval': entry({
    def: loanApproval,
    build: () => new LoanApprovalService(),
    routes: loanApprovalRoutes,
    client: loanApprovalClient,
  }),
}

// moduleWiring finds a module of the registry or throws with the known names
export function moduleWiring(name: string): ModuleWiring {
  const m = registry[name]
  if (!m) throw new Error(`unknown module ${name} (known: ${Object.keys(registry).join(', ')})`)
  return m
}

// buildModules builds the named modules and, lazily, any local neighbour they ask for; a
// neighbour that remote() answers for comes back as whatever remote() returns (a client), a
// local one passes through wrap(caller, callee, service) (the monolith's fault injection)
export function buildModules(
  names: string[],
  base: Omit<Wiring, 'neighbour'>,
  remote: (module: string) => unknown | undefined,
  wrap: (caller: string, callee: string, service: unknown) => unknown = (_c, _t, s) => s,
): Map<string, unknown> {
  const built = new Map<string, unknown>()
  function get(name: string): unknown {
    if (!built.has(name)) {
      const wiring: Wiring = {
        ...base,
        neighbour<T>(module: string): T {
          const far = remote(module)
          if (far !== undefined) return far as T
          return wrap(name, module, get(module)) as T
        },
      }
      built.set(name, moduleWiring(name).build(wiring))
    }
    return built.get(name)
  }
  for (const name of names) get(name)
  return built
}

// startModules starts the background work of the named modules (built by buildModules) and
// answers one function that stops it all
export function startModules(names: string[], built: Map<string, unknown>): () => Promise<void> {
  const stops = names.flatMap((name) => {
    const start = moduleWiring(name).start
    return start ? [start(built.get(name))] : []
  })
  return async () => {
    await Promise.all(stops.map((stop) => stop()))
  }
}
