import { z } from 'zod'
import { MoneySchema } from './common.ts'
import { contract } from './contract.ts'

export const SalesQuery = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
})
export const SalesReportSchema = z.object({
  orders: z.number().int(),
  revenue: MoneySchema,
  byDay: z.array(z.object({ day: z.string(), orders: z.number().int(), revenue: MoneySchema })),
  asOf: z.string().nullable(),
})
export const TopProductsSchema = z.object({
  items: z.array(
    z.object({
      productId: z.string(),
      name: z.string(),
      units: z.number().int(),
      revenue: MoneySchema,
    }),
  ),
  asOf: z.string().nullable(),
})
// RebuildResultSchema is what a replay of the order event store reports
export const RebuildResultSchema = z.object({
  replayed: z.number().int(),
  asOf: z.string().nullable(),
})
export type SalesQuery = z.infer<typeof SalesQuery>
export type SalesReport = z.infer<typeof SalesReportSchema>
export type TopProducts = z.infer<typeof TopProductsSchema>
export type RebuildResult = z.infer<typeof RebuildResultSchema>

// Reporting answers sales questions from its own read model, fed only by order events
export interface Reporting {
  sales(query: SalesQuery): Promise<SalesReport>
  topProducts(limit: number): Promise<TopProducts>
  // rebuild clears the read model and replays the whole order event store into it
  rebuild(): Promise<RebuildResult>
}

// reportingContract is the Reporting interface as a neighbour asks for it (module reporting)
export const reportingContract = contract<Reporting>('reporting')
