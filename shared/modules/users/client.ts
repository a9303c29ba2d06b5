import { hc } from 'hono/client'
import type { Session, User, Users } from '../../contracts/users.ts'
import { type Fetch, unwrap, unwrapOrNull } from '../../platform/http/remote.ts'
import type { UsersRoutes } from './routes.ts'

// usersClient is the Users contract over HTTP
export function usersClient(base: string, fetch: Fetch): Users {
  const api = hc<UsersRoutes>(base, { fetch }).internal.users
  return {
    register: async (input) => unwrap<User>(await api.register.$post({ json: input })),
    login: async (input) => unwrap<Session>(await api.login.$post({ json: input })),
    user: async (id) => unwrapOrNull<User>(await api.users[':id'].$get({ param: { id } })),
  }
}
