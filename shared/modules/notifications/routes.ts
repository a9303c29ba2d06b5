import { Hono } from 'hono'
import { z } from 'zod'
import { Id } from '../../contracts/common.ts'
import type { Notifications } from '../../contracts/notifications.ts'
import { currentUser, requireUser } from '../../platform/http/auth.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).optional() })

// notificationsRoutes serves a customer's own notifications (public) and anyone's (internal)
export const notificationsRoutes = (svc: Notifications) =>
  new Hono<AppEnv>()
    .get('/api/notifications', requireUser(), valid('query', LimitQuery), async (c) =>
      c.json({ items: await svc.forUser(currentUser(c).id, c.req.valid('query').limit) }),
    )
    .get(
      '/internal/notifications/users/:id',
      valid('param', z.object({ id: Id })),
      valid('query', LimitQuery),
      async (c) =>
        c.json({
          items: await svc.forUser(c.req.valid('param').id, c.req.valid('query').limit),
        }),
    )

export type NotificationsRoutes = ReturnType<typeof notificationsRoutes>
