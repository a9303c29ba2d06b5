import { z } from 'zod'
import { contract } from './contract.ts'

export const NotificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  orderId: z.string(),
  to: z.string(),
  sentAt: z.string(),
})
export type Notification = z.infer<typeof NotificationSchema>

// NotificationsQuery is the ?limit=&cursor= of the notifications list (newest first); cursor is
// the nextCursor of the page before
export const NotificationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(200).optional(),
})
export type NotificationsQuery = z.infer<typeof NotificationsQuery>

// NotificationPageSchema is one page of the list; nextCursor is null on the last page
export const NotificationPageSchema = z.object({
  items: z.array(NotificationSchema),
  nextCursor: z.string().nullable(),
})
export type NotificationPage = z.infer<typeof NotificationPageSchema>

// Notifications tells customers what happened (fed only by events) and lists what was sent
export interface Notifications {
  forUser(userId: string, limit?: number): Promise<Notification[]>
  // page lists a customer's notifications newest first, a page at a time (keyset cursor, so a
  // notification sent meanwhile never shifts a page)
  page(userId: string, query: NotificationsQuery): Promise<NotificationPage>
}

// notificationsContract is the Notifications interface as a neighbour asks for it (module notifications)
export const notificationsContract = contract<Notifications>('notifications')
