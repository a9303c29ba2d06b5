import { eq, inArray } from 'drizzle-orm'
import type { Price, Pricing } from '../../contracts/pricing.ts'
import { money } from '../../domain/money.ts'
import type { Db } from '../../platform/db/index.ts'
import { prices } from './schema.ts'

const toPrice = (row: typeof prices.$inferSelect): Price => ({
  productId: row.productId,
  price: money(row.amountCents, row.currency),
})

// PricingService answers the current price of products from its own table
export class PricingService implements Pricing {
  constructor(private readonly db: Db) {}

  async price(productId: string): Promise<Price | null> {
    const row = this.db.select().from(prices).where(eq(prices.productId, productId)).get()
    return row ? toPrice(row) : null
  }

  async prices(productIds: string[]): Promise<Price[]> {
    if (productIds.length === 0) return []
    return this.db
      .select()
      .from(prices)
      .where(inArray(prices.productId, [...new Set(productIds)]))
      .all()
      .map(toPrice)
  }
}
