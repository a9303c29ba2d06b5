import { z } from 'zod'
import { MoneySchema } from './common.ts'
import { contract } from './contract.ts'

export const QuoteInput = z.object({
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int().min(1) })).min(1),
})
export const QuoteSchema = z.object({
  id: z.string(),
  carrier: z.string(),
  price: MoneySchema,
  etaDays: z.number().int(),
})
export type QuoteInput = z.infer<typeof QuoteInput>
export type Quote = z.infer<typeof QuoteSchema>

// Shipping prices the delivery of a basket
export interface Shipping {
  quote(input: QuoteInput): Promise<Quote>
}

// shippingContract is the Shipping interface as a neighbour asks for it (module shipping)
export const shippingContract = contract<Shipping>('shipping')
