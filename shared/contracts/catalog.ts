import { z } from 'zod'
import { contract } from './contract.ts'

export const ProductSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
})
export const SearchQuery = z.object({
  q: z.string().max(200).optional(),
  category: z.string().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
})
export const SearchResultSchema = z.object({ items: z.array(ProductSchema), total: z.number() })
export type Product = z.infer<typeof ProductSchema>
export type SearchQuery = z.infer<typeof SearchQuery>
export type SearchResult = z.infer<typeof SearchResultSchema>

// Catalog knows what products exist and finds them
export interface Catalog {
  product(id: string): Promise<Product | null>
  products(ids: string[]): Promise<Product[]>
  search(query: SearchQuery): Promise<SearchResult>
}

// catalogContract is the Catalog interface as a neighbour asks for it (module catalog)
export const catalogContract = contract<Catalog>('catalog')
