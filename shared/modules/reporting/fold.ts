import { and, eq, lte, sql } from 'drizzle-orm'
import { OrderPlacedData, OrderStatusData } from '../../contracts/events.ts'
import { cents } from '../../domain/money.ts'
import type { Tx } from '../../platform/db/index.ts'
import { reportDaily, reportEarly, reportMeta, reportOrders, reportProducts } from './schema.ts'

// OrderFact is what the fold reads of an event: both an IntegrationEvent (live) and a
// StoredEvent (replay) have these three members
export interface OrderFact {
  type: string
  data: unknown
  occurredAt: string
}

// AS_OF is the report_meta key holding occurredAt of the newest applied event
export const AS_OF = 'asOf'

// applyOrderEvent folds one order event into the read model. It is the only place the read
// model changes, used by the live consumer and by the replay alike. The fold is commutative per
// order: an order counts in the sales when it was placed and confirmed and never cancelled,
// whatever order those events arrive in (a status event that comes before its OrderPlaced waits
// in report_early), and applying an event a second time changes nothing.
export function applyOrderEvent(tx: Tx, event: OrderFact): void {
  switch (event.type) {
    case 'OrderPlaced': {
      const d = OrderPlacedData.parse(event.data)
      const inserted = tx
        .insert(reportOrders)
        .values({
          orderId: d.orderId,
          userId: d.userId,
          day: event.occurredAt.slice(0, 10),
          totalCents: cents(d.total),
          currency: d.total.currency,
          status: 'placed',
          items: d.items.map((i) => ({
            productId: i.productId,
            name: i.name,
            quantity: i.quantity,
            unitCents: cents(i.unitPrice),
          })),
        })
        .onConflictDoNothing()
        .returning()
        .get()
      if (!inserted) break
      // what arrived before the order itself is applied now, cancellation winning (one
      // statement takes it out of waiting and reads it)
      const early = tx
        .delete(reportEarly)
        .where(eq(reportEarly.orderId, d.orderId))
        .returning()
        .get()
      if (early?.cancelled) setStatus(tx, d.orderId, 'cancelled')
      else if (early?.confirmed) {
        count(tx, inserted, +1)
        setStatus(tx, d.orderId, 'confirmed')
      }
      break
    }
    case 'OrderConfirmed': {
      const { orderId } = OrderStatusData.parse(event.data)
      const row = orderRow(tx, orderId)
      if (!row) remember(tx, orderId, 'confirmed')
      // only a placed order is counted: a repeat, or a confirmation after a cancel, is not
      else if (row.status === 'placed') {
        count(tx, row, +1)
        setStatus(tx, row.orderId, 'confirmed')
      }
      break
    }
    case 'OrderCancelled': {
      const { orderId } = OrderStatusData.parse(event.data)
      const row = orderRow(tx, orderId)
      if (!row) remember(tx, orderId, 'cancelled')
      else {
        if (row.status === 'confirmed') count(tx, row, -1)
        if (row.status !== 'cancelled') setStatus(tx, row.orderId, 'cancelled')
      }
      break
    }
  }
  advanceAsOf(tx, event.occurredAt)
}

// remember notes a status event whose OrderPlaced has not arrived yet
function remember(tx: Tx, orderId: string, what: 'confirmed' | 'cancelled'): void {
  tx.insert(reportEarly)
    .values({ orderId, confirmed: what === 'confirmed', cancelled: what === 'cancelled' })
    .onConflictDoUpdate({ target: reportEarly.orderId, set: { [what]: true } })
    .run()
}

// clearReadModel empties every table of the read model, before a replay
export function clearReadModel(tx: Tx): void {
  for (const table of [reportOrders, reportDaily, reportProducts, reportMeta, reportEarly])
    tx.delete(table).run()
}

const orderRow = (tx: Tx, orderId: string) =>
  tx.select().from(reportOrders).where(eq(reportOrders.orderId, orderId)).get()

const setStatus = (tx: Tx, orderId: string, status: 'confirmed' | 'cancelled') =>
  tx.update(reportOrders).set({ status }).where(eq(reportOrders.orderId, orderId)).run()

// count adds (sign +1) or removes (sign -1) one order's sale to its day and to its products;
// rows that fall to zero are removed, so a replay and live consumption leave the same tables
function count(tx: Tx, row: typeof reportOrders.$inferSelect, sign: 1 | -1): void {
  tx.insert(reportDaily)
    .values({ day: row.day, orders: sign, revenueCents: sign * row.totalCents })
    .onConflictDoUpdate({
      target: reportDaily.day,
      set: {
        orders: sql`${reportDaily.orders} + ${sign}`,
        revenueCents: sql`${reportDaily.revenueCents} + ${sign * row.totalCents}`,
      },
    })
    .run()
  tx.delete(reportDaily)
    .where(and(eq(reportDaily.day, row.day), lte(reportDaily.orders, 0)))
    .run()
  for (const line of row.items) {
    const units = sign * line.quantity
    const revenue = sign * line.quantity * line.unitCents
    tx.insert(reportProducts)
      .values({ productId: line.productId, name: line.name, units, revenueCents: revenue })
      .onConflictDoUpdate({
        target: reportProducts.productId,
        set: {
          // the newest name seen wins, in live consumption and in a replay alike
          ...(sign > 0 ? { name: line.name } : {}),
          units: sql`${reportProducts.units} + ${units}`,
          revenueCents: sql`${reportProducts.revenueCents} + ${revenue}`,
        },
      })
      .run()
    tx.delete(reportProducts)
      .where(and(eq(reportProducts.productId, line.productId), lte(reportProducts.units, 0)))
      .run()
  }
}

// advanceAsOf moves asOf forward only, so an older event arriving late does not turn time back
function advanceAsOf(tx: Tx, occurredAt: string): void {
  tx.insert(reportMeta)
    .values({ key: AS_OF, value: occurredAt })
    .onConflictDoUpdate({
      target: reportMeta.key,
      set: { value: sql`max(${reportMeta.value}, excluded.value)` },
    })
    .run()
}
