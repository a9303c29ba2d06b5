import { randomUUID } from 'node:crypto'
import { and, desc, eq, sql } from 'drizzle-orm'
import { type IntegrationEvent, PaymentCapturedData, Topics } from '../../contracts/events.ts'
import type {
  Notification,
  NotificationPage,
  Notifications,
  NotificationsQuery,
} from '../../contracts/notifications.ts'
import { DomainError } from '../../domain/errors.ts'
import { type Db, nowIso, type Tx } from '../../platform/db/index.ts'
import type { Consumer } from '../../platform/module.ts'
import { notifications } from './schema.ts'

// PAYMENT_CONFIRMATION is the kind of notification sent when a payment is captured
export const PAYMENT_CONFIRMATION = 'payment-confirmation'

// REFUND_CONFIRMATION is the kind of notification sent when a cancelled order's payment is refunded
export const REFUND_CONFIRMATION = 'refund-confirmation'

// KINDS says which payment event tells the customer what
const KINDS: Record<string, string> = {
  PaymentCaptured: PAYMENT_CONFIRMATION,
  PaymentRefunded: REFUND_CONFIRMATION,
}

// DEFAULT_PAGE is how many notifications a list answers when no limit is asked
export const DEFAULT_PAGE = 50

// NotificationsService lists the notifications sent to a customer
export class NotificationsService implements Notifications {
  // newest first; rowid breaks ties between notifications sent within the same millisecond, so
  // (sentAt, rowid) orders every row once and a cursor can name a place in that order
  private readonly first
  private readonly after

  constructor(db: Db) {
    const columns = {
      id: notifications.id,
      kind: notifications.kind,
      orderId: notifications.orderId,
      to: notifications.to,
      sentAt: notifications.sentAt,
      rowid: sql<number>`rowid`.as('rowid'),
    }
    const order = [desc(notifications.sentAt), sql`rowid desc`]
    const mine = eq(notifications.userId, sql.placeholder('userId'))
    this.first = db
      .select(columns)
      .from(notifications)
      .where(mine)
      .orderBy(...order)
      .limit(sql.placeholder('limit'))
      .prepare()
    this.after = db
      .select(columns)
      .from(notifications)
      .where(
        and(
          mine,
          sql`(${notifications.sentAt} < ${sql.placeholder('sentAt')} or (${notifications.sentAt} = ${sql.placeholder('sentAt')} and rowid < ${sql.placeholder('rowid')}))`,
        ),
      )
      .orderBy(...order)
      .limit(sql.placeholder('limit'))
      .prepare()
  }

  async forUser(userId: string, limit = DEFAULT_PAGE): Promise<Notification[]> {
    return (await this.page(userId, { limit })).items
  }

  async page(userId: string, query: NotificationsQuery): Promise<NotificationPage> {
    const limit = Math.max(1, Math.min(query.limit ?? DEFAULT_PAGE, 100))
    // one row more than asked tells whether another page follows
    const rows = query.cursor
      ? this.after.all({ userId, limit: limit + 1, ...readCursor(query.cursor) })
      : this.first.all({ userId, limit: limit + 1 })
    const items = rows.slice(0, limit)
    const last = items.at(-1)
    return {
      items: items.map(({ rowid: _r, ...n }) => n),
      nextCursor: rows.length > limit && last ? writeCursor(last.sentAt, last.rowid) : null,
    }
  }
}

// writeCursor names the place after a row in the list's order, opaquely
const writeCursor = (sentAt: string, rowid: number) =>
  Buffer.from(JSON.stringify([sentAt, rowid])).toString('base64url')

// readCursor reads a cursor back, refusing (400) anything writeCursor did not make
function readCursor(cursor: string): { sentAt: string; rowid: number } {
  try {
    const [sentAt, rowid] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[]
    if (typeof sentAt === 'string' && sentAt.length <= 40 && Number.isSafeInteger(rowid)) {
      return { sentAt, rowid: rowid as number }
    }
  } catch {
    // falls through to the refusal
  }
  throw new DomainError('invalid', 'cursor is not one this list gave out')
}

// notifyPayment sends one payment confirmation per captured payment and one refund confirmation
// per refunded one; other payment events are not for customers. The (kind, ref) unique index
// guards against a repeat the inbox missed (e.g. the same payment published under two event ids).
export function notifyPayment(tx: Tx, event: IntegrationEvent): void {
  const kind = KINDS[event.type]
  if (!kind) return
  // a malformed event throws: the transport retries, then dead-letters it for a person to see
  const data = PaymentCapturedData.parse(event.data)
  const already = tx
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.kind, kind), eq(notifications.ref, data.paymentId)))
    .get()
  if (already) return
  tx.insert(notifications)
    .values({
      id: randomUUID(),
      kind,
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
