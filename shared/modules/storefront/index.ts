import type { ModuleDef } from '../../platform/module.ts'

export { storefrontClient } from './client.ts'
export { type StorefrontRoutes, storefrontRoutes } from './routes.ts'
export { type StorefrontOptions, StorefrontService } from './service.ts'

// storefront is the module's definition for wiring: it has no tables and seeds nothing (every
// answer is composed from its neighbours)
export const storefront: ModuleDef = { name: 'storefront' }
