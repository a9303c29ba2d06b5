import { z } from 'zod'
import { contract } from './contract.ts'

export const ReviewSchema = z.object({
  id: z.string(),
  productId: z.string(),
  userId: z.string(),
  rating: z.number().int(),
  text: z.string(),
  createdAt: z.string(),
})
export const NewReviewInput = z.object({
  rating: z.number().int().min(1).max(5),
  text: z.string().trim().min(1).max(5000),
})
export const ReviewSummarySchema = z.object({
  average: z.number(),
  count: z.number().int(),
  latest: z.array(ReviewSchema),
})
export type Review = z.infer<typeof ReviewSchema>
export type NewReviewInput = z.infer<typeof NewReviewInput>
export type ReviewSummary = z.infer<typeof ReviewSummarySchema>

// Reviews keeps what customers say about products
export interface Reviews {
  summary(productId: string): Promise<ReviewSummary>
  list(productId: string, limit?: number): Promise<Review[]>
  add(productId: string, userId: string, input: NewReviewInput): Promise<Review>
}

// reviewsContract is the Reviews interface as a neighbour asks for it (module reviews)
export const reviewsContract = contract<Reviews>('reviews')
