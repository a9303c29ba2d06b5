import { describe, expect, it } from 'bun:test'
import {
  type CheckoutRecord,
  type Observed,
  reconcile,
  renderTable,
  totalViolations,
} from './verify-reconcile.ts'

// consistent builds the state of a run where everything held: two users, three acknowledged
// checkouts, one refused, stock and report to match
function consistent(): Observed {
  const checkout = (
    key: string,
    userId: string,
    orderId: string | null,
    productId: string,
    quantity: number,
    cents: number,
  ): CheckoutRecord => ({
    key,
    userId,
    items: [{ productId, quantity }],
    outcome: orderId ? 'acked' : 'refused',
    orderIds: orderId ? [orderId] : [],
    totalCents: orderId ? cents : null,
    attempts: orderId ? ['net', '201'] : ['409'],
  })
  const order = (
    id: string,
    userId: string,
    productId: string,
    quantity: number,
    cents: number,
  ) => ({
    id,
    userId,
    status: 'paid',
    totalCents: cents,
    items: [{ productId, quantity }],
  })
  return {
    checkouts: [
      checkout('k1', 'u-1', 'o1', 'p-1', 2, 2000),
      checkout('k2', 'u-1', 'o2', 'p-2', 1, 550),
      checkout('k3', 'u-2', 'o3', 'p-1', 3, 3000),
      checkout('k4', 'u-2', null, 'p-3', 1, 0),
    ],
    orders: [
      order('o1', 'u-1', 'p-1', 2, 2000),
      order('o2', 'u-1', 'p-2', 1, 550),
      order('o3', 'u-2', 'p-1', 3, 3000),
    ],
    captures: [
      { paymentId: 'pay1', orderId: 'o1', status: 'captured' },
      { paymentId: 'pay2', orderId: 'o2', status: 'captured' },
      { paymentId: 'pay3', orderId: 'o3', status: 'captured' },
      // an authorisation voided by a compensation took no money
      { paymentId: 'pay4', orderId: 'x', status: 'voided' },
    ],
    notifications: ['o1', 'o2', 'o3'].map((orderId, i) => ({
      userId: i < 2 ? 'u-1' : 'u-2',
      orderId,
      kind: 'payment-confirmation',
    })),
    stock: [
      { productId: 'p-1', initial: 10, onHand: 5, reserved: 0 },
      { productId: 'p-2', initial: 4, onHand: 3, reserved: 0 },
      { productId: 'p-3', initial: 0, onHand: 0, reserved: 0 },
    ],
    report: { orders: 3, revenueCents: 5550 },
    histories: [
      { userId: 'u-1', orderIds: ['o2', 'o1'], source: 'api' },
      { userId: 'u-2', orderIds: ['o3'], source: 'api' },
    ],
    queues: { pending: 0, deadLettered: 0 },
    repeats: [{ key: 'k1', orderId: 'o1', status: '201' }],
  }
}

const violated = (o: Observed) =>
  Object.fromEntries(reconcile(o).flatMap((r) => (r.violations ? [[r.name, r.violations]] : [])))

describe('reconcile', () => {
  it('finds nothing wrong in a consistent run', () => {
    const rows = reconcile(consistent())
    expect(totalViolations(rows)).toBe(0)
    expect(rows.every((r) => r.checked > 0)).toBe(true)
  })

  it('finds a double charge: a second order for a replayed key, charged and notified', () => {
    const o = consistent()
    o.orders.push({ ...o.orders[0]!, id: 'o1-again' })
    o.captures.push({ paymentId: 'pay5', orderId: 'o1-again', status: 'captured' })
    o.notifications.push({ userId: 'u-1', orderId: 'o1-again', kind: 'payment-confirmation' })
    o.stock[0]!.onHand -= 2
    // the report counts what the store holds: right, as far as the read model goes
    o.report = { orders: 4, revenueCents: 7550 }
    o.histories[0]!.orderIds.push('o1-again')
    expect(violated(o)).toEqual({
      'no confirmed order nobody was told about': 1,
      'no money taken without an acknowledged order': 1,
      'no notification for an order nobody was told about': 1,
      'stock on hand = initial − sold': 1,
      'each user’s history = what the user was told': 1,
    })
  })

  it('finds an acknowledged order that was lost, cancelled, not captured or not notified', () => {
    const lost = consistent()
    lost.orders = lost.orders.filter((x) => x.id !== 'o2')
    expect(violated(lost)['acknowledged checkout → one confirmed order']).toBe(1)
    const cancelled = consistent()
    cancelled.orders[1]!.status = 'cancelled'
    expect(violated(cancelled)['acknowledged checkout → one confirmed order']).toBe(1)
    const unpaid = consistent()
    unpaid.captures[1]!.status = 'voided'
    expect(violated(unpaid)['acknowledged checkout → one capture']).toBe(1)
    const silent = consistent()
    silent.notifications.pop()
    expect(violated(silent)['acknowledged checkout → one payment notification']).toBe(1)
    const twice = consistent()
    twice.notifications.push({ ...twice.notifications[0]! })
    expect(violated(twice)['acknowledged checkout → one payment notification']).toBe(1)
  })

  it('finds leaked stock and reservations that never settle', () => {
    const o = consistent()
    o.stock[1]!.onHand = 4
    o.stock[2]!.reserved = 2
    expect(violated(o)).toEqual({
      'stock on hand = initial − sold': 1,
      'nothing stays reserved once idle': 1,
    })
  })

  it('finds keys without an answer, 422s and a key that named two orders', () => {
    const o = consistent()
    o.checkouts[3]!.outcome = 'indeterminate'
    o.checkouts.push({ ...o.checkouts[3]!, key: 'k5', outcome: 'client-fault', attempts: ['422'] })
    o.checkouts[0]!.orderIds.push('o1-other')
    o.repeats.push({ key: 'k2', orderId: 'o2-other', status: '201' })
    expect(violated(o)).toEqual({
      'every checkout got a definite answer': 1,
      'a resent key is never refused as another body (422)': 1,
      'a key names one order, however often it is sent': 2,
    })
  })

  it('finds report drift, a wrong history and messages left behind', () => {
    const o = consistent()
    o.report.revenueCents += 1
    const missed = consistent()
    missed.report = { orders: 2, revenueCents: 2550 }
    expect(violated(missed)).toEqual({ 'sales report = confirmed orders': 1 })
    o.histories[1]!.orderIds = []
    o.queues = { pending: 2, deadLettered: 1 }
    expect(violated(o)).toEqual({
      'sales report = confirmed orders': 1,
      'each user’s history = what the user was told': 1,
      'queues drained, nothing dead-lettered': 1,
    })
  })

  it('renders one table row per invariant, with examples', () => {
    const o = consistent()
    o.stock[0]!.onHand = 4
    const table = renderTable(reconcile(o))
    expect(table.split('\n')).toHaveLength(2 + reconcile(o).length)
    expect(table).toContain(
      '| stock on hand = initial − sold | 3 | 1 | p-1: on hand 4, expected 5 (-1) |',
    )
  })
})
