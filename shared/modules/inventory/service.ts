import { randomUUID } from 'node:crypto'
import { and, eq, lt, sql } from 'drizzle-orm'
import type { Inventory, Reservation, ReserveInput, Stock } from '../../contracts/inventory.ts'
import { conflict, notFound } from '../../domain/errors.ts'
import { type Db, nowIso, type Tx, write } from '../../platform/db/index.ts'
import { Sweeper } from '../../platform/module.ts'
import { type ReservedLine, reservations, stock } from './schema.ts'

type Row = typeof reservations.$inferSelect

const toReservation = (row: Row): Reservation => ({
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

// InventoryOptions tunes holds: how long one lives, how often the sweeper looks for expired ones
export interface InventoryOptions {
  holdTtlMs?: number
  sweepEveryMs?: number
  log?: (msg: string) => void
}

// InventoryService counts stock and holds it for orders, all-or-nothing per reservation; every
// step is idempotent by reference, and holds nobody committed expire and are swept
export class InventoryService implements Inventory {
  private readonly holdTtlMs: number
  private readonly log: (msg: string) => void
  private readonly sweeper: Sweeper
  // the product page reads stock on every view, checkout reserves by reference: compiled once
  private readonly stockById
  private readonly reservationByRef

  constructor(
    private readonly db: Db,
    opts: InventoryOptions = {},
  ) {
    this.holdTtlMs = opts.holdTtlMs ?? 10 * 60_000
    this.log = opts.log ?? (() => {})
    this.sweeper = new Sweeper(
      'inventory',
      opts.sweepEveryMs ?? 30_000,
      () => this.sweep(),
      this.log,
    )
    this.stockById = db
      .select({ onHand: stock.onHand, reserved: stock.reserved })
      .from(stock)
      .where(eq(stock.productId, sql.placeholder('id')))
      .prepare()
    this.reservationByRef = db
      .select()
      .from(reservations)
      .where(eq(reservations.reference, sql.placeholder('ref')))
      .prepare()
  }

  // byReference reads a reservation (inside a write, it sees that transaction's writes)
  private byReference(reference: string): Row | undefined {
    return this.reservationByRef.get({ ref: reference }) as Row | undefined
  }

  async stock(productId: string): Promise<Stock | null> {
    // a row as an array [onHand, reserved]: drizzle's per-column mapping skipped (every page)
    const row = this.stockById.values({ id: productId })[0] as [number, number] | undefined
    return row ? { productId, available: row[0] - row[1] } : null
  }

  async reserve(input: ReserveInput): Promise<Reservation> {
    const lines = mergeLines(input.items)
    // check and hold inside one IMMEDIATE transaction: no other writer (in this process or
    // another) can take the same units between the check and the update
    return write(this.db, (tx) => {
      const existing = this.byReference(input.reference)
      if (existing) return toReservation(existing)
      for (const line of lines) {
        const row = this.stockById.get({ id: line.productId }) as
          | { onHand: number; reserved: number }
          | undefined
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
      moveReserved(tx, lines, +1)
      const row: Row = {
        id: randomUUID(),
        reference: input.reference,
        status: 'held',
        items: lines,
        createdAt: nowIso(),
        expiresAt: Date.now() + this.holdTtlMs,
      }
      tx.insert(reservations).values(row).run()
      return toReservation(row)
    })
  }

  async release(reference: string): Promise<Reservation> {
    return write(this.db, (tx) => {
      const row = this.byReference(reference)
      // a release that overtakes its reserve leaves a marker, so the late reserve holds nothing
      if (!row) return tombstone(tx, reference)
      if (row.status === 'committed' || row.status === 'returned') {
        throw conflict('reservation is already committed')
      }
      if (row.status !== 'held') return toReservation(row)
      moveReserved(tx, row.items, -1)
      return finish(tx, row, 'released')
    })
  }

  async commit(reference: string): Promise<Reservation> {
    return write(this.db, (tx) => {
      const row = this.byReference(reference)
      if (!row) throw notFound('reservation')
      if (row.status === 'committed' || row.status === 'returned') return toReservation(row)
      if (row.status === 'released') throw conflict('reservation is already released')
      // the units leave the shelf; a held line also leaves the reserved count (an expired one
      // already did: the money was taken, so the sale stands even after its hold lapsed)
      for (const line of row.items) {
        tx.update(stock)
          .set({
            onHand: sql`${stock.onHand} - ${line.quantity}`,
            reserved:
              row.status === 'held' ? sql`${stock.reserved} - ${line.quantity}` : stock.reserved,
          })
          .where(eq(stock.productId, line.productId))
          .run()
      }
      return finish(tx, row, 'committed')
    })
  }

  async restock(reference: string): Promise<Reservation> {
    return write(this.db, (tx) => {
      const row = this.byReference(reference)
      if (!row) return tombstone(tx, reference)
      if (row.status === 'held') {
        moveReserved(tx, row.items, -1)
        return finish(tx, row, 'released')
      }
      if (row.status !== 'committed') return toReservation(row)
      for (const line of row.items) {
        tx.update(stock)
          .set({ onHand: sql`${stock.onHand} + ${line.quantity}` })
          .where(eq(stock.productId, line.productId))
          .run()
      }
      return finish(tx, row, 'returned')
    })
  }

  async reserved(): Promise<number> {
    const row = this.db
      .select({ n: sql<number>`coalesce(sum(${stock.reserved}), 0)` })
      .from(stock)
      .get()
    return Number(row?.n ?? 0)
  }

  // sweep releases every hold whose time to live is over; answers how many it released
  sweep(now = Date.now()): number {
    const due = this.db
      .select()
      .from(reservations)
      .where(and(eq(reservations.status, 'held'), lt(reservations.expiresAt, now)))
      .limit(500)
      .all()
    let n = 0
    for (const candidate of due) {
      n += write(this.db, (tx) => {
        // re-read inside the transaction: a commit may have come first
        const row = this.byReference(candidate.reference)
        if (row?.status !== 'held') return 0
        moveReserved(tx, row.items, -1)
        finish(tx, row, 'expired')
        return 1
      })
    }
    if (n > 0) this.log(`inventory: released ${n} expired hold(s)`)
    return n
  }

  // start sweeps now and then every sweepEveryMs; stop ends it
  start(): () => void {
    return this.sweeper.start()
  }

  stop(): void {
    this.sweeper.stop()
  }
}

// moveReserved adds (+1) or gives back (-1) the held units of lines
function moveReserved(tx: Tx, lines: ReservedLine[], sign: 1 | -1): void {
  for (const line of lines) {
    tx.update(stock)
      .set({ reserved: sql`${stock.reserved} + ${sign * line.quantity}` })
      .where(eq(stock.productId, line.productId))
      .run()
  }
}

// tombstone records a reference released before it was ever reserved
function tombstone(tx: Tx, reference: string): Reservation {
  const row: Row = {
    id: randomUUID(),
    reference,
    status: 'released',
    items: [],
    createdAt: nowIso(),
    expiresAt: 0,
  }
  tx.insert(reservations).values(row).run()
  return toReservation(row)
}

function finish(tx: Tx, row: Row, status: Row['status']): Reservation {
  tx.update(reservations).set({ status }).where(eq(reservations.id, row.id)).run()
  return toReservation({ ...row, status })
}
