import { z } from 'zod'
import { MoneySchema } from './common.ts'

// IntegrationEvent is the envelope of every message between modules
export interface IntegrationEvent<T = unknown> {
  id: string
  topic: string
  type: string
  occurredAt: string
  source: string
  traceId: string
  data: T
}

// Topics name the streams integration events are published on
export const Topics = { orders: 'orders', payments: 'payments' } as const

export const OrderLineSchema = z.object({
  productId: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPrice: MoneySchema,
})
export type OrderLine = z.infer<typeof OrderLineSchema>

// Order events (topic orders), published by the orders module from its event store
export const OrderPlacedData = z.object({
  orderId: z.string(),
  userId: z.string(),
  items: z.array(OrderLineSchema),
  total: MoneySchema,
})
export const OrderStatusData = z.object({ orderId: z.string(), reason: z.string().optional() })

// PaymentCaptured (topic payments), published by payments when money is taken
export const PaymentCapturedData = z.object({
  paymentId: z.string(),
  orderId: z.string(),
  userId: z.string(),
  email: z.string(),
  amount: MoneySchema,
})
export type PaymentCaptured = z.infer<typeof PaymentCapturedData>

// PaymentRefunded (topic payments), published by payments when a cancelled order's captured
// money goes back to the customer: the same members as PaymentCaptured
export const PaymentRefundedData = PaymentCapturedData
export type PaymentRefunded = PaymentCaptured
