import { and, asc, desc, eq, gte, lte, type SQL } from 'drizzle-orm'
import { Topics } from '../../contracts/events.ts'
import type { Orders, StoredEvent } from '../../contracts/orders.ts'
import type {
  RebuildResult,
  Reporting,
  SalesQuery,
  SalesReport,
  TopProducts,
} from '../../contracts/reporting.ts'
import { conflict, DomainError, isDomainError } from '../../domain/errors.ts'
import { CURRENCY, money } from '../../domain/money.ts'
import { type Db, type Tx, write } from '../../platform/db/index.ts'
import type { Consumer } from '../../platform/module.ts'
import { AS_OF, applyOrderEvent, clearReadModel } from './fold.ts'
import { reportDaily, reportMeta, reportProducts } from './schema.ts'

// REPLAY_PAGE is how many stored events a rebuild asks the order store for at a time
export const REPLAY_PAGE = 500

// ReportingService answers sales questions from its own read model, which only order events
// change (live through reportingConsumers, or all at once through rebuild)
export class ReportingService implements Reporting {
  private rebuilding: Promise<RebuildResult> | null = null

  constructor(
    private readonly db: Db,
    private readonly orders: Pick<Orders, 'allEvents'>,
  ) {}

  async sales(query: SalesQuery): Promise<SalesReport> {
    if (query.from && query.to && query.from > query.to) {
      throw new DomainError('invalid', 'from must not be after to')
    }
    const where: SQL[] = []
    if (query.from) where.push(gte(reportDaily.day, query.from))
    if (query.to) where.push(lte(reportDaily.day, query.to))
    const days = this.db
      .select()
      .from(reportDaily)
      .where(where.length ? and(...where) : undefined)
      .orderBy(asc(reportDaily.day))
      .all()
    return {
      orders: days.reduce((n, d) => n + d.orders, 0),
      revenue: money(days.reduce((n, d) => n + d.revenueCents, 0)),
      byDay: days.map((d) => ({ day: d.day, orders: d.orders, revenue: money(d.revenueCents) })),
      asOf: this.asOf(),
    }
  }

  async topProducts(limit: number): Promise<TopProducts> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new DomainError('invalid', 'limit must be an integer from 1 to 100')
    }
    const rows = this.db
      .select()
      .from(reportProducts)
      .orderBy(
        desc(reportProducts.units),
        desc(reportProducts.revenueCents),
        asc(reportProducts.productId),
      )
      .limit(limit)
      .all()
    return {
      items: rows.map((r) => ({
        productId: r.productId,
        name: r.name,
        units: r.units,
        revenue: money(r.revenueCents, CURRENCY),
      })),
      asOf: this.asOf(),
    }
  }

  // rebuild replays the order store: it reads every page first, then clears and refolds in one
  // transaction (readers never see a half-built model, and a failed replay keeps the old one),
  // then catches up with events appended meanwhile. Those may already have been applied live
  // and wiped by the clear; the fold is idempotent per order, so applying them again is safe.
  // Concurrent calls share one replay.
  rebuild(): Promise<RebuildResult> {
    this.rebuilding ??= this.replay().finally(() => {
      this.rebuilding = null
    })
    return this.rebuilding
  }

  private async replay(): Promise<RebuildResult> {
    const first = await this.readAfter(0)
    write(this.db, (tx) => {
      clearReadModel(tx)
      for (const event of first.events) foldStored(tx, event)
    })
    let replayed = first.events.length
    let after = first.last
    for (;;) {
      const more = await this.readAfter(after, 1)
      if (more.events.length === 0) break
      write(this.db, (tx) => {
        for (const event of more.events) foldStored(tx, event)
      })
      replayed += more.events.length
      after = more.last
    }
    return { replayed, asOf: this.asOf() }
  }

  // readAfter reads up to maxPages pages of stored events after a position
  private async readAfter(after: number, maxPages = Number.POSITIVE_INFINITY) {
    const events: StoredEvent[] = []
    let last = after
    for (let pages = 0; pages < maxPages; pages++) {
      const page = await this.orders.allEvents(last, REPLAY_PAGE)
      if (page.length === 0) break
      const end = page.at(-1)!.position
      // a store that does not move forward would make the replay loop forever
      if (end <= last) throw conflict(`order events do not advance past position ${last}`)
      events.push(...page)
      last = end
    }
    return { events, last }
  }

  private asOf(): string | null {
    return this.db.select().from(reportMeta).where(eq(reportMeta.key, AS_OF)).get()?.value ?? null
  }
}

// foldStored applies one stored event, naming it when the store holds one the fold cannot read
function foldStored(tx: Tx, event: StoredEvent): void {
  try {
    applyOrderEvent(tx, event)
  } catch (error) {
    if (isDomainError(error)) throw error
    throw conflict(
      `order event ${event.position} (${event.type} of ${event.orderId}) cannot be replayed`,
      { position: event.position },
    )
  }
}

// reportingConsumers feed the read model from the orders topic (wiring adds the inbox)
export const reportingConsumers: Consumer[] = [
  { topic: Topics.orders, group: 'reporting', handler: applyOrderEvent },
]
