import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import { LoginInput, RegisterInput, type Users } from '../../contracts/users.ts'
import { notFound } from '../../domain/errors.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// usersRoutes serves registration and login (public) and the Users contract (internal)
export const usersRoutes = (svc: Users) =>
  new Hono<AppEnv>()
    .post('/api/auth/register', valid('json', RegisterInput), async (c) =>
      c.json(await svc.register(c.req.valid('json')), 201),
    )
    .post('/api/auth/login', valid('json', LoginInput), async (c) =>
      c.json(await svc.login(c.req.valid('json'))),
    )
    .post('/internal/users/register', valid('json', RegisterInput), async (c) =>
      c.json(await svc.register(c.req.valid('json')), 201),
    )
    .post('/internal/users/login', valid('json', LoginInput), async (c) =>
      c.json(await svc.login(c.req.valid('json'))),
    )
    .get('/internal/users/users/:id', valid('param', z.object({ id: Id })), async (c) => {
      const user = await svc.user(c.req.valid('param').id)
      if (!user) throw notFound('user')
      return c.json(user)
    })

export type UsersRoutes = ReturnType<typeof usersRoutes>
