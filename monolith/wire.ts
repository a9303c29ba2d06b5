import { randomBytes } from 'node:crypto'
import type { Hono } from 'hono'
import { CatalogService, catalog } from '../shared/modules/catalog/index.ts'
import { CheckoutService, checkout, checkoutRoutes } from '../shared/modules/checkout/index.ts'
import { CreditCheckService, creditCheck } from '../shared/modules/credit-check/index.ts'
import { InventoryService, inventory } from '../shared/modules/inventory/index.ts'
import { LoanApprovalService, loanApproval } from '../shared/modules/loan-approval/index.ts'
import {
  LoanValidationService,
  loanValidation,
  loanValidationRoutes,
} from '../shared/modules/loan-validation/index.ts'
import {
  NotificationsService,
  notifications,
  notificationsConsumers,
  notificationsRoutes,
} from '../shared/modules/notifications/index.ts'
import { OrdersService, orders, ordersRoutes } from '../shared/modules/orders/index.ts'
import { PaymentsService, payments } from '../shared/modules/payments/index.ts'
import { PricingService, pricing } from '../shared/modules/pricing/index.ts'
import {
  ReportingService,
  reporting,
  reportingConsumers,
  reportingRoutes,
} from '../shared/modules/reporting/index.ts'
import { ReviewsService, reviews, reviewsRoutes } from '../shared/modules/reviews/index.ts'
import { ShippingService, shipping } from '../shared/modules/shipping/index.ts'
import {
  StorefrontService,
  storefront,
  storefrontRoutes,
} from '../shared/modules/storefront/index.ts'
import { UsersService, users, usersRoutes } from '../shared/modules/users/index.ts'
import { inboxed, recordDeadLetter } from '../shared/platform/bus/inbox.ts'
import { busMigrations } from '../shared/platform/bus/index.ts'
import { mittTransport } from '../shared/platform/bus/mitt.ts'
import { sqliteOutbox } from '../shared/platform/bus/outbox.ts'
import { Relay } from '../shared/platform/bus/relay.ts'
import { messaging, resilience } from '../shared/platform/config.ts'
import { type Database, migrate, openDatabase } from '../shared/platform/db/index.ts'
import { jwtIssuer, type TokenIssuer } from '../shared/platform/http/auth.ts'
import type { AppEnv } from '../shared/platform/http/env.ts'
import type { Consumer, ModuleDef } from '../shared/platform/module.ts'

// modules lists every module the monolith holds, in the order their tables are created
export const modules: ModuleDef[] = [
  users,
  catalog,
  pricing,
  reviews,
  inventory,
  storefront,
  payments,
  shipping,
  orders,
  checkout,
  notifications,
  reporting,
  loanValidation,
  creditCheck,
  loanApproval,
]

// Monolith is every module wired in one process: services, routes, the relay and the db
export interface Monolith {
  database: Database
  tokens: TokenIssuer
  relay: Relay
  serviceToken: string
  routes: Hono<AppEnv, any, any>[]
  close(): Promise<void>
}

// wireMonolith builds every service with its neighbours passed in directly, one SQLite file
// and the in-process mitt transport: the only place that decides "everything is local"
export async function wireMonolith(opts: {
  dbPath: string
  jwtSecret: string
  relayPaused?: boolean
  log?: (msg: string) => void
}): Promise<Monolith> {
  const log = opts.log ?? console.log
  const database = await openDatabase(opts.dbPath)
  const { db } = database
  migrate(db, busMigrations)
  for (const m of modules) {
    if (m.migrations) migrate(db, m.migrations)
    await m.seed?.(db)
  }

  const tokens = jwtIssuer(opts.jwtSecret)
  const transport = mittTransport({
    retry: messaging,
    onDeadLetter: (group, event, error, attempts) =>
      recordDeadLetter(db, group, event, error, attempts),
    log,
  })
  const relay = new Relay(db, transport, { log })
  const outboxOf = (source: string) => sqliteOutbox(source, relay.kick)

  const usersSvc = new UsersService(db, tokens)
  const catalogSvc = new CatalogService(db)
  const pricingSvc = new PricingService(db)
  const reviewsSvc = new ReviewsService(db, catalogSvc)
  const inventorySvc = new InventoryService(db)
  const storefrontSvc = new StorefrontService(catalogSvc, pricingSvc, reviewsSvc, inventorySvc, {
    partDeadlineMs: resilience.aggregatePartDeadlineMs,
  })
  const paymentsSvc = new PaymentsService(db, outboxOf('payments'))
  const shippingSvc = new ShippingService()
  const ordersSvc = new OrdersService(db, outboxOf('orders'), usersSvc)
  const checkoutSvc = new CheckoutService(db, {
    catalog: catalogSvc,
    pricing: pricingSvc,
    inventory: inventorySvc,
    payments: paymentsSvc,
    shipping: shippingSvc,
    orders: ordersSvc,
  })
  const notificationsSvc = new NotificationsService(db)
  const reportingSvc = new ReportingService(db, ordersSvc)
  const approvalSvc = new LoanApprovalService()
  const creditSvc = new CreditCheckService(db, approvalSvc)
  const loansSvc = new LoanValidationService(db, creditSvc)

  const consumers: Consumer[] = [...notificationsConsumers, ...reportingConsumers]
  for (const c of consumers) {
    transport.subscribe({ topic: c.topic, group: c.group, handle: inboxed(db, c.group, c.handler) })
  }
  if (!opts.relayPaused) relay.start()

  return {
    database,
    tokens,
    relay,
    // internal routes are mounted too (they come with each module's sub-app); nobody outside
    // the process holds this token, so they stay closed
    serviceToken: randomBytes(24).toString('hex'),
    routes: [
      usersRoutes(usersSvc),
      reviewsRoutes(reviewsSvc),
      storefrontRoutes(storefrontSvc),
      checkoutRoutes(checkoutSvc),
      ordersRoutes(ordersSvc),
      notificationsRoutes(notificationsSvc),
      reportingRoutes(reportingSvc),
      loanValidationRoutes(loansSvc),
    ],
    async close() {
      await relay.stop()
      await transport.close()
      database.close()
    },
  }
}
