import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import type { Inventory, Reservation, ReserveInput, Stock } from '../../contracts/inventory.ts'
import { conflict, notFound } from '../../domain/errors.ts'
import { type Db, nowIso, type Tx, write } from '../../platform/db/index.ts'
import { type ReservedLine, reservations, stock } from './schema.ts'

const toReservation = (row: typeof reservations.$inferSelect): Reservation => ({
  id: row.id,
  reference: row.reference,
  status: row.status,
})

// one line per product, so a basket naming a product twice is checked against its total
function mergeLines(items: ReserveInput['items']): ReservedLine[] {
  const byProduct = new Map<string, number>()
  for (const { productId, quantity } of items) {
    byProduct.set(productId, (byProduct.get(productId) ?? 0) + quantity)
  }
  return [...byProduct].map(([productId, quantity]) => ({ productId, quantity }))
}

// InventoryService counts stock and holds it for orders, all-or-nothing per reservation
export class InventoryService implements Inventory {
  constructor(private readonly db: Db) {}

  async stock(productId: string): Promise<Stock | null> {
    const row = this.db.select().from(stock).where(eq(stock.productId, productId)).get()
    return row ? { productId, available: row.onHand - row.reserved } : null
  }

  async reserve(input: ReserveInput): Promise<Reservation> {
    const lines = mergeLines(input.items)
    // check and hold inside one IMMEDIATE transaction: no other writer (in this process or
    // another) can take the same units between the check and the update
    return write(this.db, (tx) => {
      const existing = tx
        .select()
        .from(reservations)
        .where(eq(reservations.reference, input.reference))
        .get()
      if (existing) return toReservation(existing)
      for (const line of lines) {
        const row = tx.select().from(stock).where(eq(stock.productId, line.productId)).get()
        if (!row) throw notFound(`product ${line.productId}`)
        const available = row.onHand - row.reserved
        if (available < line.quantity) {
          throw conflict(`not enough stock of ${line.productId}`, {
            productId: line.productId,
            available,
            requested: line.quantity,
          })
        }
      }
      for (const line of lines) {
        tx.update(stock)
          .set({ reserved: sql`${stock.reserved} + ${line.quantity}` })
          .where(eq(stock.productId, line.productId))
          .run()
      }
      const row = {
        id: randomUUID(),
        reference: input.reference,
        status: 'held' as const,
        items: lines,
        createdAt: nowIso(),
      }
      tx.insert(reservations).values(row).run()
      return toReservation(row)
    })
  }

  async release(reservationId: string): Promise<Reservation> {
    return write(this.db, (tx) => {
      const row = held(tx, reservationId)
      if (row.status === 'released') return toReservation(row)
      if (row.status === 'committed') throw conflict('reservation is already committed')
      for (const line of row.items) {
        tx.update(stock)
          .set({ reserved: sql`${stock.reserved} - ${line.quantity}` })
          .where(eq(stock.productId, line.productId))
          .run()
      }
      return finish(tx, row, 'released')
    })
  }

  async commit(reservationId: string): Promise<Reservation> {
    return write(this.db, (tx) => {
      const row = held(tx, reservationId)
      if (row.status === 'committed') return toReservation(row)
      if (row.status === 'released') throw conflict('reservation is already released')
      // the held units leave the shelf: both counters drop, available stays as it was
      for (const line of row.items) {
        tx.update(stock)
          .set({
            onHand: sql`${stock.onHand} - ${line.quantity}`,
            reserved: sql`${stock.reserved} - ${line.quantity}`,
          })
          .where(eq(stock.productId, line.productId))
          .run()
      }
      return finish(tx, row, 'committed')
    })
  }
}

function held(tx: Tx, id: string) {
  const row = tx.select().from(reservations).where(eq(reservations.id, id)).get()
  if (!row) throw notFound('reservation')
  return row
}

function finish(
  tx: Tx,
  row: typeof reservations.$inferSelect,
  status: 'committed' | 'released',
): Reservation {
  tx.update(reservations).set({ status }).where(eq(reservations.id, row.id)).run()
  return toReservation({ ...row, status })
}
