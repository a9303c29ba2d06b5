import type { ModuleDef } from '../../platform/module.ts'

export { shippingClient } from './client.ts'
export { type ShippingRoutes, shippingRoutes } from './routes.ts'
export { ShippingService } from './service.ts'

// shipping is the module's definition for wiring: stateless, so no tables and no seed
export const shipping: ModuleDef = { name: 'shipping' }
