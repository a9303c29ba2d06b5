import { checkoutApi } from '../../contracts/api.ts'
import { catalogContract } from '../../contracts/catalog.ts'
import { checkoutContract } from '../../contracts/checkout.ts'
import { inventoryContract } from '../../contracts/inventory.ts'
import { ordersContract } from '../../contracts/orders.ts'
import { paymentsContract } from '../../contracts/payments.ts'
import { pricingContract } from '../../contracts/pricing.ts'
import { shippingContract } from '../../contracts/shipping.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { checkoutClient } from './client.ts'
import { checkoutRoutes } from './routes.ts'
import { CheckoutService } from './service.ts'

export { checkoutClient } from './client.ts'
export { type CheckoutRoutes, checkoutRoutes } from './routes.ts'
export {
  type CheckoutDeps,
  type CheckoutOptions,
  CheckoutService,
  orderIdFor,
  SagaCrash,
  type SagaPoint,
} from './service.ts'

// checkout is the module's manifest: the checkout branch and its saga log (a recovery worker
// resumes what a crash left)
export const checkout = defineModule({
  name: 'checkout',
  implements: checkoutContract,
  needs: {
    catalog: catalogContract,
    pricing: pricingContract,
    inventory: inventoryContract,
    payments: paymentsContract,
    shipping: shippingContract,
    orders: ordersContract,
  },
  build: (ctx) =>
    new CheckoutService(ctx.db(), ctx.needs, { ...ctx.options, reachable: ctx.reachable }),
  routes: checkoutRoutes,
  client: checkoutClient,
  publicRoutes: ['/api/checkout', '/api/checkout/*', '/api/orders/:id/cancel'],
  internalPrefix: '/internal/checkout',
  api: checkoutApi,
  uses: {
    'GET /api/checkout/sagas': [],
  },
  publishes: [],
  consumers: [],
  start: (s: CheckoutService) => s.start(),
  migrations: migrationsOf('checkout', import.meta.dirname),
})
