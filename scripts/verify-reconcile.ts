// The invariant checker of `npm run verify`: pure functions from what the run saw (every
// checkout's answers) and what the deployment holds afterwards (orders, captures, notifications,
// stock, the sales report) to one row per invariant. No I/O here, so a test can feed it a
// fabricated inconsistent state and watch it find every hole.

// Line is one product and quantity of a checkout
export interface Line {
  productId: string
  quantity: number
}

// Outcome is what one key ended as after the replay: acknowledged (201), refused for a business
// reason (409 out of stock, 404…), still without a definite answer, or a 422 (the key was
// reused with another body: the checker always resends the same body, so this is a fault)
export type Outcome = 'acked' | 'refused' | 'indeterminate' | 'client-fault'

// CheckoutRecord is everything the clients saw of one Idempotency-Key
export interface CheckoutRecord {
  key: string
  userId: string
  items: Line[]
  outcome: Outcome
  // every order id a 201 for this key named (one, if idempotency holds)
  orderIds: string[]
  totalCents: number | null
  // the status of every attempt, in order ('net' for no answer)
  attempts: string[]
}

// StoredOrder is one order of the order store, folded from its events
export interface StoredOrder {
  id: string
  userId: string
  status: string
  totalCents: number
  items: Line[]
}

// Capture is one payment that took money (read from the payments database)
export interface Capture {
  paymentId: string
  orderId: string | null
  status: string
}

// NotificationSeen is one notification a customer's list showed
export interface NotificationSeen {
  userId: string
  orderId: string
  kind: string
}

// StockRow is one product's stock: on hand at the start and at the end, reserved at the end
export interface StockRow {
  productId: string
  initial: number
  onHand: number
  reserved: number
}

// UserHistory is one customer's order list; source says where it was read (the API, or the
// database when the API hides part of it)
export interface UserHistory {
  userId: string
  orderIds: string[]
  source: 'api' | 'sqlite'
}

// Observed is the whole state the reconciliation reads
export interface Observed {
  checkouts: CheckoutRecord[]
  orders: StoredOrder[]
  captures: Capture[]
  notifications: NotificationSeen[]
  stock: StockRow[]
  report: { orders: number; revenueCents: number }
  histories: UserHistory[]
  queues: { pending: number; deadLettered: number }
  // acked keys resent after the run and the order id each answered (idempotency of a repeat)
  repeats: { key: string; orderId: string | null; status: string }[]
}

// Invariant is one row of the table
export interface Invariant {
  name: string
  checked: number
  violations: number
  examples: string[]
}

// CONFIRMED are the order statuses that mean "sold" (confirmed, and possibly paid or shipped)
export const CONFIRMED = new Set(['confirmed', 'paid', 'shipped'])
export const PAYMENT_CONFIRMATION = 'payment-confirmation'
const EXAMPLES = 5

// row builds an invariant from the items checked and a test that describes a violation (or null)
function row<T>(name: string, items: T[], violation: (item: T) => string | null): Invariant {
  const bad = items.map(violation).filter((v): v is string => v !== null)
  return { name, checked: items.length, violations: bad.length, examples: bad.slice(0, EXAMPLES) }
}

const countBy = <T>(items: T[], key: (t: T) => string | null) => {
  const m = new Map<string, number>()
  for (const i of items) {
    const k = key(i)
    if (k !== null) m.set(k, (m.get(k) ?? 0) + 1)
  }
  return m
}

const euros = (c: number) => (c / 100).toFixed(2)

// reconcile checks every invariant of issue 8 against what was observed
export function reconcile(o: Observed): Invariant[] {
  const acked = o.checkouts.filter((c) => c.outcome === 'acked')
  const ackedOrder = new Map(acked.map((c) => [c.orderIds[0]!, c]))
  const orders = new Map(o.orders.map((x) => [x.id, x]))
  const confirmed = o.orders.filter((x) => CONFIRMED.has(x.status))
  const captures = o.captures.filter((c) => c.status === 'captured')
  const capturesOf = countBy(captures, (c) => c.orderId)
  const notes = o.notifications.filter((n) => n.kind === PAYMENT_CONFIRMATION)
  const notesOf = countBy(notes, (n) => n.orderId)

  // what the acknowledged checkouts sold, per product
  const sold = new Map<string, number>()
  for (const c of acked)
    for (const l of c.items) sold.set(l.productId, (sold.get(l.productId) ?? 0) + l.quantity)
  const confirmedCents = confirmed.reduce((n, x) => n + x.totalCents, 0)

  const ackedByUser = new Map<string, Set<string>>()
  for (const c of acked) {
    const set = ackedByUser.get(c.userId) ?? new Set<string>()
    set.add(c.orderIds[0]!)
    ackedByUser.set(c.userId, set)
  }

  return [
    row('every checkout got a definite answer', o.checkouts, (c) =>
      c.outcome === 'indeterminate' ? `${c.key}: ${c.attempts.join(' ')}` : null,
    ),
    row('a resent key is never refused as another body (422)', o.checkouts, (c) =>
      c.outcome === 'client-fault' ? `${c.key}: ${c.attempts.join(' ')}` : null,
    ),
    row('a key names one order, however often it is sent', [...o.checkouts, ...o.repeats], (c) => {
      if ('orderIds' in c) {
        const ids = new Set(c.orderIds)
        return ids.size > 1 ? `${c.key} answered ${[...ids].join(', ')}` : null
      }
      const first = o.checkouts.find((x) => x.key === c.key)?.orderIds[0]
      return c.orderId === first ? null : `${c.key} repeated: ${c.status} ${c.orderId} ≠ ${first}`
    }),
    row('acknowledged checkout → one confirmed order', acked, (c) => {
      const order = orders.get(c.orderIds[0]!)
      if (!order) return `${c.key}: order ${c.orderIds[0]} does not exist`
      if (!CONFIRMED.has(order.status)) return `${c.key}: order ${order.id} is ${order.status}`
      if (order.userId !== c.userId) return `${c.key}: order ${order.id} belongs to ${order.userId}`
      return null
    }),
    row('no confirmed order nobody was told about', confirmed, (x) =>
      ackedOrder.has(x.id) ? null : `${x.id} (${x.userId}, ${x.status}, €${euros(x.totalCents)})`,
    ),
    row('acknowledged checkout → one capture', acked, (c) => {
      const n = capturesOf.get(c.orderIds[0]!) ?? 0
      return n === 1 ? null : `${c.orderIds[0]}: ${n} captures`
    }),
    row('no money taken without an acknowledged order', captures, (c) =>
      c.orderId && ackedOrder.has(c.orderId)
        ? null
        : `payment ${c.paymentId} captured for ${c.orderId ?? 'no order'} (${c.orderId ? (orders.get(c.orderId)?.status ?? 'missing') : '-'})`,
    ),
    row('acknowledged checkout → one payment notification', acked, (c) => {
      const n = notesOf.get(c.orderIds[0]!) ?? 0
      return n === 1 ? null : `${c.orderIds[0]}: ${n} notifications`
    }),
    row('no notification for an order nobody was told about', notes, (n) =>
      ackedOrder.has(n.orderId) ? null : `${n.userId}: notified of ${n.orderId}`,
    ),
    row('stock on hand = initial − sold', o.stock, (s) => {
      const expected = s.initial - (sold.get(s.productId) ?? 0)
      return s.onHand === expected
        ? null
        : `${s.productId}: on hand ${s.onHand}, expected ${expected} (${s.onHand - expected > 0 ? '+' : ''}${s.onHand - expected})`
    }),
    row('nothing stays reserved once idle', o.stock, (s) =>
      s.reserved === 0 ? null : `${s.productId}: ${s.reserved} reserved`,
    ),
    // the read model against the order store it is fed from (orders nobody was told about are
    // the row above's business)
    row('sales report = confirmed orders', [o.report], (r) =>
      r.orders === confirmed.length && r.revenueCents === confirmedCents
        ? null
        : `report ${r.orders} orders / €${euros(r.revenueCents)}, store ${confirmed.length} confirmed / €${euros(confirmedCents)}`,
    ),
    row('each user’s history = what the user was told', o.histories, (h) => {
      const listed = new Set(
        h.orderIds.filter((id) => CONFIRMED.has(orders.get(id)?.status ?? 'confirmed')),
      )
      const told = ackedByUser.get(h.userId) ?? new Set<string>()
      const missing = [...told].filter((id) => !listed.has(id))
      const extra = [...listed].filter((id) => !told.has(id))
      return missing.length + extra.length === 0
        ? null
        : `${h.userId} (${h.source}): ${missing.length} missing, ${extra.length} extra (${[...missing, ...extra].slice(0, 2).join(', ')})`
    }),
    row('queues drained, nothing dead-lettered', [o.queues], (q) =>
      q.pending === 0 && q.deadLettered === 0
        ? null
        : `${q.pending} pending, ${q.deadLettered} dead-lettered`,
    ),
  ]
}

// totalViolations adds up the violations of every row
export const totalViolations = (rows: Invariant[]) => rows.reduce((n, r) => n + r.violations, 0)

// renderTable prints the rows as a Markdown table (one row per invariant)
export function renderTable(rows: Invariant[]): string {
  const lines = [
    '| invariant | checked | violations | examples |',
    '| --- | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.checked.toLocaleString('en')} | ${r.violations.toLocaleString('en')} | ${r.examples.slice(0, 3).join('; ').replaceAll('|', '/')} |`,
    ),
  ]
  return lines.join('\n')
}
