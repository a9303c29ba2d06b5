import { eq, sql } from 'drizzle-orm'
import type { Price, Pricing } from '../../contracts/pricing.ts'
import { money } from '../../domain/money.ts'
import type { Db } from '../../platform/db/index.ts'
import { prices } from './schema.ts'

const toPrice = (row: typeof prices.$inferSelect): Price => ({
  productId: row.productId,
  price: money(row.amountCents, row.currency),
})

// the statements of one database, prepared once
const statements = (db: Db) => ({
  // read on every product page: a row comes back as an array in this column order, which
  // skips drizzle's per-column mapping
  byId: db
    .select({ amountCents: prices.amountCents, currency: prices.currency })
    .from(prices)
    .where(eq(prices.productId, sql.placeholder('id')))
    .prepare(),
  // one statement for any number of ids: they travel as one JSON array
  byIds: db
    .select()
    .from(prices)
    .where(sql`${prices.productId} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`)
    .prepare(),
})

// PricingService answers the current price of products from its own table
export class PricingService implements Pricing {
  private readonly q: ReturnType<typeof statements>

  constructor(db: Db) {
    this.q = statements(db)
  }

  async price(productId: string): Promise<Price | null> {
    const row = this.q.byId.values({ id: productId })[0] as [number, string] | undefined
    return row ? { productId, price: money(row[0], row[1]) } : null
  }

  async prices(productIds: string[]): Promise<Price[]> {
    if (productIds.length === 0) return []
    // IN over json_each already ignores repeated ids
    return this.q.byIds.all({ ids: JSON.stringify(productIds) }).map(toPrice)
  }
}
