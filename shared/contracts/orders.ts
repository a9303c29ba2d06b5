import { z } from 'zod'
import { MoneySchema } from './common.ts'
import { OrderLineSchema, OrderPlacedData, OrderStatusData } from './events.ts'
import { UserSchema } from './users.ts'

export const OrderStatus = z.enum(['placed', 'confirmed', 'paid', 'shipped', 'cancelled'])
export const OrderSchema = z.object({
  id: z.string(),
  userId: z.string(),
  status: OrderStatus,
  items: z.array(OrderLineSchema),
  total: MoneySchema,
  version: z.number().int(),
  createdAt: z.string(),
})
export const OrderEventSchema = z.object({
  seq: z.number().int(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
})
export const StoredEventSchema = OrderEventSchema.extend({
  orderId: z.string(),
  position: z.number().int(),
})
export type Order = z.infer<typeof OrderSchema>
export type OrderEvent = z.infer<typeof OrderEventSchema>
export type StoredEvent = z.infer<typeof StoredEventSchema>

// PlaceOrderInput is what checkout hands to orders once every branch succeeded
export const PlaceOrderInput = z.object({
  orderId: z.string(),
  userId: z.string(),
  items: z.array(OrderLineSchema).min(1),
  total: MoneySchema,
  paymentId: z.string(),
  reservationId: z.string(),
  shippingQuoteId: z.string(),
})
export type PlaceOrderInput = z.infer<typeof PlaceOrderInput>

// Orders is the event-sourced order store: state is the fold of events, appends check versions
export interface Orders {
  place(input: PlaceOrderInput): Promise<Order>
  order(id: string): Promise<Order | null>
  events(id: string): Promise<OrderEvent[]>
  // append adds events at expectedVersion; a stale version is a conflict (409)
  append(
    id: string,
    expectedVersion: number,
    events: { type: string; data: Record<string, unknown> }[],
  ): Promise<Order>
  ship(id: string): Promise<Order>
  cancel(id: string, byUserId: string): Promise<Order>
  ordersOf(userId: string): Promise<Order[]>
  // allEvents pages through the whole store in append order, for replays
  allEvents(afterPosition: number, limit: number): Promise<StoredEvent[]>
}

// OrderEventInput is one event handed to append: its type decides the shape of its data
export const OrderEventInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('OrderPlaced'), data: OrderPlacedData }),
  z.object({ type: z.literal('OrderConfirmed'), data: z.object({ orderId: z.string() }) }),
  z.object({
    type: z.literal('PaymentCaptured'),
    data: z.object({ orderId: z.string(), paymentId: z.string(), amount: MoneySchema }),
  }),
  z.object({ type: z.literal('OrderShipped'), data: z.object({ orderId: z.string() }) }),
  z.object({ type: z.literal('OrderCancelled'), data: OrderStatusData }),
])
export type OrderEventInput = z.infer<typeof OrderEventInput>

// AppendInput is the body of the internal append route
export const AppendInput = z.object({
  expectedVersion: z.number().int().min(0).max(1_000_000),
  events: z
    .array(z.object({ type: z.string().min(1).max(64), data: z.record(z.string(), z.unknown()) }))
    .min(1)
    .max(100),
})
export type AppendInput = z.infer<typeof AppendInput>

// UserOrdersSchema is a customer with their orders (GET /api/users/:id/orders)
export const UserOrdersSchema = z.object({ user: UserSchema, items: z.array(OrderSchema) })
export type UserOrdersView = z.infer<typeof UserOrdersSchema>

// UserOrders reads a customer and their orders together (Shared data: orders and users live in
// one database); an unknown user is notFound (404)
export interface UserOrders {
  userOrders(userId: string): Promise<UserOrdersView>
}
