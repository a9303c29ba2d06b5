import { z } from 'zod'

export const NotificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  orderId: z.string(),
  to: z.string(),
  sentAt: z.string(),
})
export type Notification = z.infer<typeof NotificationSchema>

// Notifications tells customers what happened (fed only by events) and lists what was sent
export interface Notifications {
  forUser(userId: string, limit?: number): Promise<Notification[]>
}
