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
  byId: db
    .select()
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
    const row = this.q.byId.get({ id: productId })
    return row ? toPrice(row) : null
  }

  async prices(productIds: string[]): Promise<Price[]> {
    if (productIds.length === 0) return []
    // IN over json_each already ignores repeated ids
    return this.q.byIds.all({ ids: JSON.stringify(productIds) }).map(toPrice)
  }
}
