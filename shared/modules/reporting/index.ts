import { type ModuleDef, migrationsOf } from '../../platform/module.ts'

export { reportingClient } from './client.ts'
export { AS_OF, applyOrderEvent, clearReadModel, type OrderFact } from './fold.ts'
export { type ReportingRoutes, reportingRoutes } from './routes.ts'
export { REPLAY_PAGE, ReportingService, reportingConsumers } from './service.ts'

// reporting is the module's definition for wiring: its migrations (no seed: the read model
// comes from order events only)
export const reporting: ModuleDef = {
  name: 'reporting',
  migrations: migrationsOf('reporting', import.meta.dirname),
}
