import { z } from 'zod'
import { MoneySchema } from './common.ts'
import { contract } from './contract.ts'
import { ReviewSchema } from './reviews.ts'

export const ProductPageSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  price: MoneySchema.nullable(),
  rating: z.object({ average: z.number(), count: z.number().int() }).nullable(),
  reviews: z.array(ReviewSchema).nullable(),
  stock: z.object({ available: z.number().int() }).nullable(),
  degraded: z.array(z.enum(['pricing', 'reviews', 'inventory'])),
})
export const ProductListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      category: z.string(),
      price: MoneySchema.nullable(),
    }),
  ),
  total: z.number().int(),
})
export type ProductPage = z.infer<typeof ProductPageSchema>
export type ProductList = z.infer<typeof ProductListSchema>

// Storefront composes the product page and the product list from catalog, pricing, reviews
// and inventory; a failed part other than catalog leaves the page up, marked degraded
export interface Storefront {
  page(productId: string): Promise<ProductPage>
  list(query: {
    q?: string
    category?: string
    limit: number
    offset: number
  }): Promise<ProductList>
}

// storefrontContract is the Storefront interface as a neighbour asks for it (module storefront)
export const storefrontContract = contract<Storefront>('storefront')
