import { and, asc, desc, eq, gt, inArray, lt, or, sql } from 'drizzle-orm'
import { Topics } from '../../contracts/events.ts'
import {
  type Order,
  type OrderEvent,
  OrderEventInput,
  type OrderPage,
  type Orders,
  type PlaceOrderInput,
  type StoredEvent,
  type UserOrders,
  type UserOrdersView,
} from '../../contracts/orders.ts'
import type { Users } from '../../contracts/users.ts'
import { conflict, DomainError, notFound } from '../../domain/errors.ts'
import {
  apply,
  cancelOrder,
  type OrderEvent as DomainEvent,
  fold,
  type OrderState,
  placeOrder,
  shipOrder,
} from '../../domain/order.ts'
import type { Outbox } from '../../platform/bus/outbox.ts'
import { type Db, nowIso, type Tx, write } from '../../platform/db/index.ts'
import { events, orderIndex } from './schema.ts'

// the newest orders a customer sees on one page unless they ask for fewer
const ORDERS_PER_PAGE = 100

type Row = typeof events.$inferSelect

// OrdersService keeps orders as streams of events: state is their fold, appends check the
// version, and every appended event goes to the outbox (topic orders) in the same transaction
export class OrdersService implements Orders, UserOrders {
  // every read and append folds one order's stream: compiled once
  private readonly streamOf

  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    private readonly users: Pick<Users, 'user'>,
  ) {
    this.streamOf = db
      .select()
      .from(events)
      .where(eq(events.orderId, sql.placeholder('id')))
      .orderBy(asc(events.seq))
      .prepare()
  }

  async place(input: PlaceOrderInput): Promise<Order> {
    const { orderId, userId, items, total } = input
    return write(this.db, (tx) => {
      // a resent place (its answer was lost, or a saga resumed) finds the order it made
      const placed = view(this.rowsOf(tx, orderId))
      if (placed) {
        if (placed.userId !== userId) throw conflict(`order ${orderId} belongs to another user`)
        return placed
      }
      return this.appendIn(tx, orderId, 0, placeOrder({ orderId, userId, items, total }))
    })
  }

  async order(id: string): Promise<Order | null> {
    return view(this.rowsOf(this.db, id))
  }

  async events(id: string): Promise<OrderEvent[]> {
    return this.rowsOf(this.db, id).map(({ seq, type, data, occurredAt }) => ({
      seq,
      type,
      data,
      occurredAt,
    }))
  }

  async append(
    id: string,
    expectedVersion: number,
    input: { type: string; data: Record<string, unknown> }[],
  ): Promise<Order> {
    const parsed = input.map((e) => parseEvent(id, e))
    return write(this.db, (tx) => this.appendIn(tx, id, expectedVersion, parsed))
  }

  async ship(id: string): Promise<Order> {
    return this.decide(id, (state) => shipOrder(state))
  }

  async cancel(id: string, byUserId: string): Promise<Order> {
    return this.decide(id, (state) => cancelOrder(state, byUserId))
  }

  async ordersOf(userId: string, page: Partial<OrderPage> = {}): Promise<Order[]> {
    return this.page(userId, page).items
  }

  async userOrders(userId: string, page: Partial<OrderPage> = {}): Promise<UserOrdersView> {
    const user = await this.users.user(userId)
    if (!user) throw notFound('user')
    return { user: { id: user.id, name: user.name, email: user.email }, ...this.page(userId, page) }
  }

  // page reads one page of a customer's orders, newest first, keyed by (created_at, order_id)
  private page(userId: string, page: Partial<OrderPage>) {
    const limit = Math.max(1, Math.min(page.limit ?? ORDERS_PER_PAGE, ORDERS_PER_PAGE))
    const after = page.cursor === undefined ? null : decodeCursor(page.cursor)
    const mine = eq(orderIndex.userId, userId)
    const ids = this.db
      .select({ id: orderIndex.orderId, createdAt: orderIndex.createdAt })
      .from(orderIndex)
      .where(
        after
          ? and(
              mine,
              or(
                lt(orderIndex.createdAt, after.createdAt),
                and(eq(orderIndex.createdAt, after.createdAt), lt(orderIndex.orderId, after.id)),
              ),
            )
          : mine,
      )
      .orderBy(desc(orderIndex.createdAt), desc(orderIndex.orderId))
      .limit(limit + 1)
      .all()
    const more = ids.length > limit
    const shown = ids.slice(0, limit)
    const last = shown.at(-1)
    const nextCursor = more && last ? encodeCursor(last.createdAt, last.id) : null
    if (shown.length === 0) return { items: [] as Order[], nextCursor }
    const rows = this.db
      .select()
      .from(events)
      .where(
        inArray(
          events.orderId,
          shown.map((r) => r.id),
        ),
      )
      .orderBy(asc(events.position))
      .all()
    const byOrder = new Map<string, Row[]>(shown.map((r) => [r.id, []]))
    for (const r of rows) byOrder.get(r.orderId)?.push(r)
    const items = shown.flatMap(({ id }) => {
      const order = view(byOrder.get(id) ?? [])
      return order ? [order] : []
    })
    return { items, nextCursor }
  }

  async allEvents(afterPosition: number, limit: number): Promise<StoredEvent[]> {
    return this.db
      .select()
      .from(events)
      .where(gt(events.position, afterPosition))
      .orderBy(asc(events.position))
      .limit(Math.max(1, Math.min(limit, 1000)))
      .all()
  }

  // decide loads an order and appends what a decision function answers, in one transaction
  private decide(id: string, decision: (state: OrderState) => DomainEvent[]): Order {
    return write(this.db, (tx) => {
      const state = fold(this.rowsOf(tx, id).map(toDomain))
      if (!state) throw notFound('order')
      return this.appendIn(tx, id, state.version, decision(state))
    })
  }

  // appendIn checks the version, applies each event (refusing illegal ones), stores it and
  // hands it to the outbox, all inside the caller's write transaction
  private appendIn(tx: Tx, id: string, expectedVersion: number, news: DomainEvent[]): Order {
    const rows = this.rowsOf(tx, id)
    const version = rows.at(-1)?.seq ?? 0
    if (version === 0 && expectedVersion > 0) throw notFound('order')
    if (version !== expectedVersion) {
      throw conflict(`order ${id} is at version ${version}, not ${expectedVersion}`, {
        currentVersion: version,
      })
    }
    let state = fold(rows.map(toDomain))
    const occurredAt = nowIso()
    const added: Row[] = []
    for (const event of news) {
      state = apply(state, event)
      if (event.type === 'OrderPlaced') {
        tx.insert(orderIndex)
          .values({ orderId: id, userId: event.data.userId, createdAt: occurredAt })
          .run()
      }
      const data = event.data as Record<string, unknown>
      const row = { orderId: id, seq: state.version, type: event.type, data, occurredAt }
      try {
        added.push(tx.insert(events).values(row).returning().get())
      } catch (error) {
        // unique(order_id, seq): another process appended first despite our check
        if (String(error).includes('UNIQUE')) throw conflict(`order ${id} changed meanwhile`)
        throw error
      }
      this.outbox.add(tx, Topics.orders, event.type, data)
    }
    return view([...rows, ...added])!
  }

  // rowsOf reads one order's stream (inside a write, it sees that transaction's writes)
  private rowsOf(_db: Db | Tx, id: string): Row[] {
    return this.streamOf.all({ id }) as Row[]
  }
}

// a cursor is the (created_at, order_id) of the last order shown, opaque to clients
const encodeCursor = (createdAt: string, id: string) =>
  Buffer.from(JSON.stringify([createdAt, id])).toString('base64url')

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[]
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id }
  } catch {
    // fall through: not one of ours
  }
  throw new DomainError('invalid', 'cursor is not one this API answered')
}

// toDomain reads a stored row as the aggregate's event
const toDomain = (r: Row) => ({ type: r.type, data: r.data }) as DomainEvent

// view is the public shape of an order: the fold of its rows, created when it was placed
function view(rows: Row[]): Order | null {
  const state = fold(rows.map(toDomain))
  if (!state) return null
  const { id, userId, status, items, total, version } = state
  return { id, userId, status, items, total, version, createdAt: rows[0]!.occurredAt }
}

// parseEvent checks an event handed to append; its orderId defaults to the stream's
function parseEvent(id: string, e: { type: string; data: Record<string, unknown> }): DomainEvent {
  const result = OrderEventInput.safeParse({ type: e.type, data: { orderId: id, ...e.data } })
  if (!result.success) {
    throw new DomainError('invalid', `invalid ${e.type} event`, {
      errors: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    })
  }
  if (result.data.data.orderId !== id) {
    throw new DomainError('invalid', `event for order ${result.data.data.orderId} in order ${id}`)
  }
  return result.data as DomainEvent
}
