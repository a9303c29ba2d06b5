import { z } from 'zod'

export const StockSchema = z.object({ productId: z.string(), available: z.number().int() })
export const ReserveInput = z.object({
  reference: z.string().min(1).max(100),
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int().min(1) })).min(1),
})
export const ReservationSchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: z.enum(['held', 'committed', 'released']),
})
export type Stock = z.infer<typeof StockSchema>
export type ReserveInput = z.infer<typeof ReserveInput>
export type Reservation = z.infer<typeof ReservationSchema>

// Inventory counts stock and holds it for orders; reserve fails with conflict when short
export interface Inventory {
  stock(productId: string): Promise<Stock | null>
  reserve(input: ReserveInput): Promise<Reservation>
  release(reservationId: string): Promise<Reservation>
  commit(reservationId: string): Promise<Reservation>
}
