import { hc } from 'hono/client'
import type { Notification, Notifications } from '../../contracts/notifications.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { NotificationsRoutes } from './routes.ts'

// notificationsClient is the Notifications contract over HTTP
export function notificationsClient(base: string, fetch: Fetch): Notifications {
  const api = hc<NotificationsRoutes>(base, { fetch }).internal.notifications
  return {
    forUser: async (userId, limit) =>
      (
        await unwrap<{ items: Notification[] }>(
          await api.users[':id'].$get({
            param: { id: userId },
            query: { limit: limit === undefined ? undefined : String(limit) },
          }),
        )
      ).items,
  }
}
