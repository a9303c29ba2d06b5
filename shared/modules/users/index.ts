import { type ModuleDef, migrationsOf } from '../../platform/module.ts'
import { seedUsers } from './seed.ts'

export { usersClient } from './client.ts'
export { type UsersRoutes, usersRoutes } from './routes.ts'
export { hashPassword, PASSWORD_HASHING, UsersService } from './service.ts'

// users is the module's definition for wiring: its migrations and seed
export const users: ModuleDef = {
  name: 'users',
  migrations: migrationsOf('users', import.meta.dirname),
  seed: seedUsers,
}
