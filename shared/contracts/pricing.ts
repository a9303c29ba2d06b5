import { z } from 'zod'
import { MoneySchema } from './common.ts'
import { contract } from './contract.ts'

export const PriceSchema = z.object({ productId: z.string(), price: MoneySchema })
export type Price = z.infer<typeof PriceSchema>

// Pricing tells what a product costs now
export interface Pricing {
  price(productId: string): Promise<Price | null>
  prices(productIds: string[]): Promise<Price[]>
}

// pricingContract is the Pricing interface as a neighbour asks for it (module pricing)
export const pricingContract = contract<Pricing>('pricing')
