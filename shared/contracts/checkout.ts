import { z } from 'zod'
import { MoneySchema } from './common.ts'
import { CardSchema } from './payments.ts'

export const CheckoutInput = z.object({
  items: z
    .array(
      z.object({
        productId: z.string().min(1).max(64),
        quantity: z.number().int().min(1).max(100),
      }),
    )
    .min(1)
    .max(50),
  card: CardSchema,
})
export const CheckoutResultSchema = z.object({
  orderId: z.string(),
  status: z.literal('confirmed'),
  total: MoneySchema,
  steps: z.object({
    inventory: z.record(z.string(), z.unknown()),
    payment: z.record(z.string(), z.unknown()),
    shipping: z.record(z.string(), z.unknown()),
  }),
})
export type CheckoutInput = z.infer<typeof CheckoutInput>
export type CheckoutResult = z.infer<typeof CheckoutResultSchema>

// Checkout reserves stock, authorises payment and quotes shipping in parallel, compensating
// the successful branches when any fails; the same idempotency key returns the first result
export interface Checkout {
  checkout(
    user: { id: string; email: string },
    input: CheckoutInput,
    idempotencyKey?: string,
  ): Promise<CheckoutResult>
}
