import { z } from 'zod'
import { MoneySchema } from './common.ts'
import { contract } from './contract.ts'

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
  status: z.enum(['authorized', 'captured', 'voided', 'refunded']),
})
export type Card = z.infer<typeof CardSchema>
export type AuthorizeInput = z.infer<typeof AuthorizeInput>
export type Payment = z.infer<typeof PaymentSchema>

// Payments authorises cards (demo rules), captures (publishing PaymentCaptured), voids and
// refunds (publishing PaymentRefunded). Every step names the payment by its reference (the
// order id) and is idempotent: a repeat answers the same payment, so a caller that lost an
// answer may simply resend. Capture and void decide each other: whichever comes first wins and
// the other is refused (conflict), which is how a saga learns which way a lost step went.
export interface Payments {
  // authorize holds the amount once per reference; a reference already voided answers that
  // voided payment and holds nothing (a late authorisation cannot outlive its compensation)
  authorize(input: AuthorizeInput): Promise<Payment>
  capture(reference: string, orderId: string): Promise<Payment>
  // void lets an authorisation go; an unknown reference is recorded as voided, a captured
  // payment is refused (conflict)
  void(reference: string): Promise<Payment>
  // refund gives captured money back (an authorised one is voided instead)
  refund(reference: string): Promise<Payment>
  // payment looks a payment up by reference (null when none)
  payment(reference: string): Promise<Payment | null>
}

// paymentsContract is the Payments interface as a neighbour asks for it (module payments)
export const paymentsContract = contract<Payments>('payments')
