import { describe, expect, it } from 'bun:test'
import { DomainError } from './errors.ts'
import {
  apply,
  cancelOrder,
  capturePayment,
  fold,
  type OrderEvent,
  type OrderState,
  placeOrder,
  shipOrder,
} from './order.ts'

const eur = (amount: number) => ({ amount, currency: 'EUR' })
const line = { productId: 'p-0001', name: 'Kite', quantity: 2, unitPrice: eur(5) }
const placed = placeOrder({ orderId: 'o-1', userId: 'u-1', items: [line], total: eur(10) })
const paid: OrderEvent = {
  type: 'PaymentCaptured',
  data: { orderId: 'o-1', paymentId: 'pay-1', amount: eur(10) },
}

const stateOf = (events: OrderEvent[]) => fold(events) as OrderState

function errorOf(fn: () => unknown): DomainError {
  try {
    fn()
  } catch (e) {
    if (e instanceof DomainError) return e
    throw e
  }
  throw new Error('expected a DomainError')
}

describe('Order', () => {
  it('places an order with OrderPlaced then OrderConfirmed', () => {
    expect(placed).toEqual([
      {
        type: 'OrderPlaced',
        data: { orderId: 'o-1', userId: 'u-1', items: [line], total: eur(10) },
      },
      { type: 'OrderConfirmed', data: { orderId: 'o-1' } },
    ])
  })

  it('refuses to place an order without items', () => {
    expect(
      errorOf(() => placeOrder({ orderId: 'o', userId: 'u', items: [], total: eur(0) })).kind,
    ).toBe('invalid')
  })

  it('folds the stream into the state, counting the version', () => {
    expect(fold([])).toBeNull()
    expect(stateOf(placed.slice(0, 1))).toMatchObject({ status: 'placed', version: 1 })
    expect(stateOf(placed)).toEqual({
      id: 'o-1',
      userId: 'u-1',
      status: 'confirmed',
      items: [line],
      total: eur(10),
      paymentId: null,
      cancelReason: null,
      version: 2,
    })
    expect(stateOf([...placed, paid])).toMatchObject({
      status: 'paid',
      paymentId: 'pay-1',
      version: 3,
    })
  })

  it('changes state only through apply, leaving the old state untouched', () => {
    const before = stateOf(placed)
    const after = apply(before, paid)
    expect(before.status).toBe('confirmed')
    expect(after.status).toBe('paid')
  })

  it('refuses events the status does not allow', () => {
    expect(errorOf(() => apply(null, paid)).kind).toBe('conflict')
    expect(errorOf(() => apply(stateOf(placed), placed[0]!)).kind).toBe('conflict')
    const shipped: OrderEvent = { type: 'OrderShipped', data: { orderId: 'o-1' } }
    expect(errorOf(() => apply(stateOf(placed), shipped)).kind).toBe('conflict')
    const foreign: OrderEvent = { type: 'OrderShipped', data: { orderId: 'o-2' } }
    expect(errorOf(() => apply(stateOf([...placed, paid]), foreign)).kind).toBe('invalid')
  })

  it('records a captured payment once', () => {
    expect(capturePayment(stateOf(placed), 'pay-1', eur(10))).toEqual([paid])
    expect(capturePayment(stateOf([...placed, paid]), 'pay-1', eur(10))).toEqual([])
    expect(errorOf(() => capturePayment(stateOf([...placed, paid]), 'pay-2', eur(10))).kind).toBe(
      'conflict',
    )
  })

  it('ships a paid order, and shipping twice emits nothing', () => {
    const events = shipOrder(stateOf([...placed, paid]))
    expect(events).toEqual([{ type: 'OrderShipped', data: { orderId: 'o-1' } }])
    expect(stateOf([...placed, paid, ...events]).status).toBe('shipped')
    expect(shipOrder(stateOf([...placed, paid, ...events]))).toEqual([])
  })

  it('refuses to ship an unpaid or a cancelled order', () => {
    expect(errorOf(() => shipOrder(stateOf(placed))).kind).toBe('conflict')
    const cancelled = [...placed, ...cancelOrder(stateOf(placed), 'u-1')]
    expect(errorOf(() => shipOrder(stateOf(cancelled))).kind).toBe('conflict')
  })

  it('lets the owner cancel before shipping, with an optional reason', () => {
    expect(cancelOrder(stateOf([...placed, paid]), 'u-1', 'changed my mind')).toEqual([
      { type: 'OrderCancelled', data: { orderId: 'o-1', reason: 'changed my mind' } },
    ])
    const events = cancelOrder(stateOf(placed), 'u-1')
    expect(events).toEqual([{ type: 'OrderCancelled', data: { orderId: 'o-1' } }])
    expect(stateOf([...placed, ...events])).toMatchObject({ status: 'cancelled', version: 3 })
    expect(cancelOrder(stateOf([...placed, ...events]), 'u-1')).toEqual([])
  })

  it('refuses a cancel by someone else (403) and once shipped (409)', () => {
    expect(errorOf(() => cancelOrder(stateOf(placed), 'u-2')).kind).toBe('forbidden')
    const shipped = [...placed, paid, { type: 'OrderShipped', data: { orderId: 'o-1' } } as const]
    expect(errorOf(() => cancelOrder(stateOf(shipped), 'u-1')).kind).toBe('conflict')
  })
})
