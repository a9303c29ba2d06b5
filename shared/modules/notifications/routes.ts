import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import { type Notifications, NotificationsQuery } from '../../contracts/notifications.ts'
import { currentUser, requireUser } from '../../platform/http/auth.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

// notificationsRoutes serves a customer's own notifications (public) and anyone's (internal),
// a page at a time: {items, nextCursor}
export const notificationsRoutes = (svc: Notifications) =>
  new Hono<AppEnv>()
    .get('/api/notifications', requireUser(), valid('query', NotificationsQuery), async (c) =>
      c.json(await svc.page(currentUser(c).id, c.req.valid('query'))),
    )
    .get(
      '/internal/notifications/users/:id',
      valid('param', z.object({ id: Id })),
      valid('query', NotificationsQuery),
      async (c) => c.json(await svc.page(c.req.valid('param').id, c.req.valid('query'))),
    )

export type NotificationsRoutes = ReturnType<typeof notificationsRoutes>
