import { type ModuleDef, migrationsOf } from '../../platform/module.ts'

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

// checkout is the module's definition for wiring: its saga log (nothing to seed)
export const checkout: ModuleDef = {
  name: 'checkout',
  migrations: migrationsOf('checkout', import.meta.dirname),
}
