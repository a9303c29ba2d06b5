import { type ModuleDef, migrationsOf } from '../../platform/module.ts'
import { seedInventory } from './seed.ts'

export { inventoryClient } from './client.ts'
export { type InventoryRoutes, inventoryRoutes } from './routes.ts'
export { OUT_OF_STOCK_EVERY } from './seed.ts'
export { type InventoryOptions, InventoryService } from './service.ts'

// inventory is the module's definition for wiring: its migrations and seed
export const inventory: ModuleDef = {
  name: 'inventory',
  migrations: migrationsOf('inventory', import.meta.dirname),
  seed: seedInventory,
}
