import { type ModuleDef, migrationsOf } from '../../platform/module.ts'
import { seedCatalog } from './seed.ts'

export { catalogClient } from './client.ts'
export { type CatalogRoutes, catalogRoutes } from './routes.ts'
export { CatalogService } from './service.ts'

// catalog is the module's definition for wiring: its migrations and seed
export const catalog: ModuleDef = {
  name: 'catalog',
  migrations: migrationsOf('catalog', import.meta.dirname),
  seed: seedCatalog,
}
