import { inventoryContract } from '../../contracts/inventory.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { inventoryClient } from './client.ts'
import { inventoryRoutes } from './routes.ts'
import { seedInventory } from './seed.ts'
import { InventoryService } from './service.ts'

export { inventoryClient } from './client.ts'
export { type InventoryRoutes, inventoryRoutes } from './routes.ts'
export { OUT_OF_STOCK_EVERY } from './seed.ts'
export { type InventoryOptions, InventoryService } from './service.ts'

// inventory is the module's manifest: stock and holds (a sweeper releases expired holds)
export const inventory = defineModule({
  name: 'inventory',
  implements: inventoryContract,
  needs: {},
  build: (ctx) => new InventoryService(ctx.db(), ctx.options),
  routes: inventoryRoutes,
  client: inventoryClient,
  publicRoutes: [],
  internalPrefix: '/internal/inventory',
  api: [],
  publishes: [],
  consumers: [],
  start: (s: InventoryService) => s.start(),
  migrations: migrationsOf('inventory', import.meta.dirname),
  seed: seedInventory,
})
