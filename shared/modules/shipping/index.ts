import { shippingContract } from '../../contracts/shipping.ts'
import { defineModule } from '../../platform/module.ts'
import { shippingClient } from './client.ts'
import { shippingRoutes } from './routes.ts'
import { ShippingService } from './service.ts'

export { shippingClient } from './client.ts'
export { type ShippingRoutes, shippingRoutes } from './routes.ts'
export { ShippingService } from './service.ts'

// shipping is the module's manifest: stateless quotes
export const shipping = defineModule({
  name: 'shipping',
  implements: shippingContract,
  needs: {},
  build: () => new ShippingService(),
  routes: shippingRoutes,
  client: shippingClient,
  publicRoutes: [],
  internalPrefix: '/internal/shipping',
  api: [],
  publishes: [],
  consumers: [],
})
