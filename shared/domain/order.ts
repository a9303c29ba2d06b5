import { conflict, DomainError, forbidden } from './errors.ts'
import type { Money } from './money.ts'

// OrderLine is one product of an order at the price it was sold for
export interface OrderLine {
  productId: string
  name: string
  quantity: number
  unitPrice: Money
}

// OrderStatus is where an order stands: placed → confirmed → paid → shipped, or cancelled
export type OrderStatus = 'placed' | 'confirmed' | 'paid' | 'shipped' | 'cancelled'

// OrderPlaced starts an order's stream
export interface OrderPlaced {
  type: 'OrderPlaced'
  data: { orderId: string; userId: string; items: OrderLine[]; total: Money }
}
// OrderConfirmed says every checkout branch succeeded
export interface OrderConfirmed {
  type: 'OrderConfirmed'
  data: { orderId: string }
}
// PaymentCaptured says the money for the order was taken
export interface PaymentCaptured {
  type: 'PaymentCaptured'
  data: { orderId: string; paymentId: string; amount: Money }
}
// OrderShipped says the parcel left
export interface OrderShipped {
  type: 'OrderShipped'
  data: { orderId: string }
}
// OrderCancelled ends an order that had not shipped
export interface OrderCancelled {
  type: 'OrderCancelled'
  data: { orderId: string; reason?: string }
}

// OrderEvent is every fact an order's stream can hold
export type OrderEvent =
  | OrderPlaced
  | OrderConfirmed
  | PaymentCaptured
  | OrderShipped
  | OrderCancelled

// OrderState is the fold of an order's events; version counts the events applied
export interface OrderState {
  id: string
  userId: string
  status: OrderStatus
  items: OrderLine[]
  total: Money
  paymentId: string | null
  cancelReason: string | null
  version: number
}

// transitions lists from which statuses each non-initial event may be applied
const transitions: Record<Exclude<OrderEvent['type'], 'OrderPlaced'>, OrderStatus[]> = {
  OrderConfirmed: ['placed'],
  PaymentCaptured: ['confirmed'],
  OrderShipped: ['paid'],
  OrderCancelled: ['placed', 'confirmed', 'paid'],
}

// apply is the only way an order changes: it returns the state after one event, refusing
// (conflict) an event the current status does not allow
export function apply(state: OrderState | null, event: OrderEvent): OrderState {
  if (event.type === 'OrderPlaced') {
    if (state) throw conflict(`order ${state.id} was already placed`)
    const { orderId, userId, items, total } = event.data
    return {
      id: orderId,
      userId,
      status: 'placed',
      items,
      total,
      paymentId: null,
      cancelReason: null,
      version: 1,
    }
  }
  if (!state) throw conflict(`${event.type} before OrderPlaced`)
  if (event.data.orderId !== state.id) {
    throw new DomainError('invalid', `event for order ${event.data.orderId} in order ${state.id}`)
  }
  if (!transitions[event.type].includes(state.status)) {
    throw conflict(`cannot apply ${event.type} to a ${state.status} order`, {
      status: state.status,
    })
  }
  const next = { ...state, version: state.version + 1 }
  switch (event.type) {
    case 'OrderConfirmed':
      return { ...next, status: 'confirmed' }
    case 'PaymentCaptured':
      return { ...next, status: 'paid', paymentId: event.data.paymentId }
    case 'OrderShipped':
      return { ...next, status: 'shipped' }
    case 'OrderCancelled':
      return { ...next, status: 'cancelled', cancelReason: event.data.reason ?? null }
  }
}

// fold replays a stream from the start; null when there are no events
export function fold(events: readonly OrderEvent[]): OrderState | null {
  return events.reduce<OrderState | null>(apply, null)
}

// placeOrder decides the events of a new order that passed checkout: placed, then confirmed
export function placeOrder(input: {
  orderId: string
  userId: string
  items: OrderLine[]
  total: Money
}): OrderEvent[] {
  if (input.items.length === 0) throw new DomainError('invalid', 'an order needs items')
  const { orderId, userId, items, total } = input
  return [
    { type: 'OrderPlaced', data: { orderId, userId, items, total } },
    { type: 'OrderConfirmed', data: { orderId } },
  ]
}

// capturePayment decides the event recording that the order's money was taken
export function capturePayment(state: OrderState, paymentId: string, amount: Money): OrderEvent[] {
  if (state.status === 'paid' && state.paymentId === paymentId) return []
  if (state.status !== 'confirmed') {
    throw conflict(`cannot capture payment for a ${state.status} order`)
  }
  return [{ type: 'PaymentCaptured', data: { orderId: state.id, paymentId, amount } }]
}

// shipOrder decides the shipping of a paid order; shipping twice changes nothing
export function shipOrder(state: OrderState): OrderEvent[] {
  if (state.status === 'shipped') return []
  if (state.status === 'cancelled') throw conflict('a cancelled order cannot ship')
  if (state.status !== 'paid') throw conflict(`a ${state.status} order is not paid yet`)
  return [{ type: 'OrderShipped', data: { orderId: state.id } }]
}

// cancelOrder decides a cancellation by the order's owner; refused once shipped, and
// cancelling twice changes nothing
export function cancelOrder(state: OrderState, byUserId: string, reason?: string): OrderEvent[] {
  if (byUserId !== state.userId) throw forbidden('only the owner can cancel an order')
  if (state.status === 'cancelled') return []
  if (state.status === 'shipped') throw conflict('a shipped order cannot be cancelled')
  return [
    {
      type: 'OrderCancelled',
      data: reason === undefined ? { orderId: state.id } : { orderId: state.id, reason },
    },
  ]
}
