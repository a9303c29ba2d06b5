import { z } from 'zod'
import { contract } from './contract.ts'

export const StockSchema = z.object({ productId: z.string(), available: z.number().int() })
export const ReserveInput = z.object({
  reference: z.string().min(1).max(100),
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int().min(1) })).min(1),
})
// a reservation is held, then committed (sold) or released; expired is a hold the sweeper
// released after its time to live; returned is committed stock put back by a cancellation
export const ReservationStatus = z.enum(['held', 'committed', 'released', 'expired', 'returned'])
export const ReservationSchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: ReservationStatus,
})
export type Stock = z.infer<typeof StockSchema>
export type ReserveInput = z.infer<typeof ReserveInput>
export type Reservation = z.infer<typeof ReservationSchema>

// Inventory counts stock and holds it for orders; reserve fails with conflict when short.
// Every step names the reservation by its reference (the order id) and is idempotent: a
// repeat answers the same reservation, so a caller that lost an answer may simply resend.
export interface Inventory {
  stock(productId: string): Promise<Stock | null>
  // reserve holds stock once per reference; a reference already released answers that
  // released reservation and holds nothing (a late reserve cannot resurrect a compensated one)
  reserve(input: ReserveInput): Promise<Reservation>
  // release gives held stock back; an unknown reference is recorded as released, committed
  // stock is refused (conflict)
  release(reference: string): Promise<Reservation>
  // commit takes held (or expired) stock off the shelf; a released one is refused (conflict)
  commit(reference: string): Promise<Reservation>
  // restock puts committed stock back on the shelf (a cancelled order), releases a hold
  restock(reference: string): Promise<Reservation>
  // reserved is the total number of units held by reservations not yet committed or released
  reserved(): Promise<number>
}

// inventoryContract is the Inventory interface as a neighbour asks for it (module inventory)
export const inventoryContract = contract<Inventory>('inventory')
