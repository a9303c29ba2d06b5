import { z } from 'zod'
import { MoneySchema } from './common.ts'
import { contract } from './contract.ts'
import type { Order } from './orders.ts'
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

// SagaSummarySchema says how many checkouts stand in each saga state, how many are still in
// flight (neither done, failed nor cancelled) and how many units of stock are held: a system at
// rest answers inFlight 0 and reservedUnits 0 (GET /api/checkout/sagas, admin)
export const SagaSummarySchema = z.object({
  inFlight: z.number().int(),
  states: z.record(z.string(), z.number().int()),
  reservedUnits: z.number().int(),
})
export type SagaSummary = z.infer<typeof SagaSummarySchema>

// Checkout reserves stock, authorises payment and quotes shipping in parallel, compensating
// the successful branches when any fails. Each checkout is a saga logged in checkout's own
// tables, so a crash at any point is resumed (after the capture) or compensated (before it).
// The same Idempotency-Key answers the same sale: the first result once done, 409 while it
// runs, 422 for a different body; never a second order or charge.
export interface Checkout {
  checkout(
    user: { id: string; email: string },
    input: CheckoutInput,
    idempotencyKey?: string,
  ): Promise<CheckoutResult>
  // cancel cancels an order of this user that has not shipped, releasing its stock and
  // refunding (or voiding) its payment; 409 once shipped or while its checkout still runs
  cancel(user: { id: string }, orderId: string): Promise<Order>
  // sagas summarises the saga log (for operators and the invariant checker)
  sagas(): Promise<SagaSummary>
}

// checkoutContract is the Checkout interface as a neighbour asks for it (module checkout)
export const checkoutContract = contract<Checkout>('checkout')
