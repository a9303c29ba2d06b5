import { z } from 'zod'
import { MoneySchema } from './common.ts'
import { contract } from './contract.ts'
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

// OrderPage asks for one page of a customer's orders, newest first: at most limit orders after
// the cursor a previous page answered as nextCursor
export const OrderPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(100),
  cursor: z.string().min(1).max(200).optional(),
})
export type OrderPage = z.infer<typeof OrderPageQuery>

// Orders is the event-sourced order store: state is the fold of events, appends check versions
export interface Orders {
  // place starts an order's stream; placing an id already placed for the same user answers
  // that order as it stands now (a resent place is safe), for another user it is a conflict
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
  // ordersOf is one page of a customer's orders, newest first (the first 100 without a page)
  ordersOf(userId: string, page?: Partial<OrderPage>): Promise<Order[]>
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

// UserOrdersSchema is a customer with one page of their orders (GET /api/users/:id/orders);
// nextCursor fetches the next page, null on the last one
export const UserOrdersSchema = z.object({
  user: UserSchema,
  items: z.array(OrderSchema),
  nextCursor: z.string().nullable(),
})
export type UserOrdersView = z.infer<typeof UserOrdersSchema>

// UserOrders reads a customer and their orders together (Shared data: orders and users live in
// one database); an unknown user is notFound (404), a cursor that is not one we gave is 400
export interface UserOrders {
  userOrders(userId: string, page?: Partial<OrderPage>): Promise<UserOrdersView>
}

// ordersContract is the Orders interface as a neighbour asks for it (module orders)
export const ordersContract = contract<Orders>('orders')
