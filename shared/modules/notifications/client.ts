import { hc } from 'hono/client'
import type { NotificationPage, Notifications } from '../../contracts/notifications.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { NotificationsRoutes } from './routes.ts'

// notificationsClient is the Notifications contract over HTTP
export function notificationsClient(base: string, fetch: Fetch): Notifications {
  const api = hc<NotificationsRoutes>(base, { fetch }).internal.notifications
  const page: Notifications['page'] = async (userId, query) =>
    unwrap<NotificationPage>(
      await api.users[':id'].$get({
        param: { id: userId },
        query: {
          limit: query.limit === undefined ? undefined : String(query.limit),
          cursor: query.cursor,
        },
      }),
    )
  return {
    page,
    forUser: async (userId, limit) => (await page(userId, { limit })).items,
  }
}
