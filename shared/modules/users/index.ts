import { usersApi } from '../../contracts/api.ts'
import { usersContract } from '../../contracts/users.ts'
import { defineModule, migrationsOf } from '../../platform/module.ts'
import { usersClient } from './client.ts'
import { usersRoutes } from './routes.ts'
import { seedUsers } from './seed.ts'
import { UsersService } from './service.ts'

export { usersClient } from './client.ts'
export { type UsersRoutes, usersRoutes } from './routes.ts'
export { hashPassword, PASSWORD_HASHING, UsersService } from './service.ts'

// users is the module's manifest: its logins (the Shared-Data pattern: orders reads them in its own
// database file)
export const users = defineModule({
  name: 'users',
  implements: usersContract,
  needs: {},
  build: (ctx) => new UsersService(ctx.db(), ctx.tokens),
  routes: usersRoutes,
  client: usersClient,
  publicRoutes: ['/api/auth/*'],
  internalPrefix: '/internal/users',
  api: usersApi,
  publishes: [],
  consumers: [],
  migrations: migrationsOf('users', import.meta.dirname),
  seed: seedUsers,
})
