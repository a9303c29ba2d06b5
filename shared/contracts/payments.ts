import { z } from 'zod'
import { MoneySchema } from './common.ts'

export const CardSchema = z.object({
  number: z.string().regex(/^\d{12,19}$/, 'card number must be 12 to 19 digits'),
  expiry: z.string().regex(/^(0[1-9]|1[0-2])\/\d{2}$/, 'expiry must be MM/YY'),
  cvc: z.string().regex(/^\d{3,4}$/, 'cvc must be 3 or 4 digits'),
})
export const AuthorizeInput = z.object({
  reference: z.string().min(1).max(100),
  userId: z.string(),
  email: z.string(),
  amount: MoneySchema,
  card: CardSchema,
})
export const PaymentSchema = z.object({
  id: z.string(),
  reference: z.string(),
  orderId: z.string().nullable(),
  amount: MoneySchema,
  status: z.enum(['authorized', 'captured', 'voided']),
})
export type Card = z.infer<typeof CardSchema>
export type AuthorizeInput = z.infer<typeof AuthorizeInput>
export type Payment = z.infer<typeof PaymentSchema>

// Payments authorises cards (demo rules), captures (publishing PaymentCaptured) and voids
export interface Payments {
  authorize(input: AuthorizeInput): Promise<Payment>
  capture(paymentId: string, orderId: string): Promise<Payment>
  void(paymentId: string): Promise<Payment>
}
