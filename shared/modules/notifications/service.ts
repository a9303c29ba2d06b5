import { randomUUID } from 'node:crypto'
import { and, desc, eq, sql } from 'drizzle-orm'
import { type IntegrationEvent, PaymentCapturedData, Topics } from '../../contracts/events.ts'
import type { Notification, Notifications } from '../../contracts/notifications.ts'
import { type Db, nowIso, type Tx } from '../../platform/db/index.ts'
import type { Consumer } from '../../platform/module.ts'
import { notifications } from './schema.ts'

// PAYMENT_CONFIRMATION is the kind of notification sent when a payment is captured
export const PAYMENT_CONFIRMATION = 'payment-confirmation'

// NotificationsService lists the notifications sent to a customer
export class NotificationsService implements Notifications {
  constructor(private readonly db: Db) {}

  async forUser(userId: string, limit = 50): Promise<Notification[]> {
    // rowid breaks ties between notifications sent within the same millisecond
    return this.db
      .select({
        id: notifications.id,
        kind: notifications.kind,
        orderId: notifications.orderId,
        to: notifications.to,
        sentAt: notifications.sentAt,
      })
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(desc(notifications.sentAt), sql`rowid desc`)
      .limit(Math.max(1, Math.min(limit, 100)))
      .all()
  }
}

// notifyPayment sends one payment confirmation per captured payment; other payment events are
// not for customers. The (kind, ref) unique index guards against a repeat the inbox missed
// (e.g. the same payment published under two event ids).
export function notifyPayment(tx: Tx, event: IntegrationEvent): void {
  if (event.type !== 'PaymentCaptured') return
  // a malformed event throws: the transport retries, then dead-letters it for a person to see
  const data = PaymentCapturedData.parse(event.data)
  const already = tx
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.kind, PAYMENT_CONFIRMATION), eq(notifications.ref, data.paymentId)))
    .get()
  if (already) return
  tx.insert(notifications)
    .values({
      id: randomUUID(),
      kind: PAYMENT_CONFIRMATION,
      ref: data.paymentId,
      orderId: data.orderId,
      userId: data.userId,
      to: data.email,
      sentAt: nowIso(),
    })
    .onConflictDoNothing()
    .run()
}

// notificationsConsumers are the module's subscriptions (the wiring wraps each with the inbox)
export const notificationsConsumers: Consumer[] = [
  { topic: Topics.payments, group: 'notifications', handler: notifyPayment },
]
