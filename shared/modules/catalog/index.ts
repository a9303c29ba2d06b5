import { catalogContract } from '../../contracts/catalog.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { catalogClient } from './client.ts'
import { catalogRoutes } from './routes.ts'
import { seedCatalog } from './seed.ts'
import { CatalogService } from './service.ts'

export { catalogClient } from './client.ts'
export { type CatalogRoutes, catalogRoutes } from './routes.ts'
export { CatalogService } from './service.ts'

// catalog is the module's manifest: the product catalogue
export const catalog = defineModule({
  name: 'catalog',
  implements: catalogContract,
  needs: {},
  build: (ctx) => new CatalogService(ctx.db(), ctx.snapshot),
  routes: catalogRoutes,
  client: catalogClient,
  publicRoutes: [],
  internalPrefix: '/internal/catalog',
  api: [],
  publishes: [],
  consumers: [],
  migrations: migrationsOf('catalog', import.meta.dirname),
  seed: seedCatalog,
})
