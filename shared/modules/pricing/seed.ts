import { count } from 'drizzle-orm'
import { CURRENCY } from '../../domain/money.ts'
import { productId, Rng, SEED_PRODUCTS } from '../../domain/prng.ts'
import { type Db, write } from '../../platform/db/index.ts'
import { prices } from './schema.ts'

// seedPricing gives every seeded product a deterministic price between 2.99 and 499.99 when the
// table is empty
export function seedPricing(db: Db): void {
  if ((db.select({ n: count() }).from(prices).get()?.n ?? 0) > 0) return
  const rng = new Rng(2)
  // whole euros minus one cent (x.99) look like shop prices
  const rows = Array.from({ length: SEED_PRODUCTS }, (_, i) => ({
    productId: productId(i + 1),
    amountCents: rng.int(3, 500) * 100 - 1,
    currency: CURRENCY,
  }))
  write(db, (tx) => {
    if ((tx.select({ n: count() }).from(prices).get()?.n ?? 0) > 0) return
    for (let i = 0; i < rows.length; i += 200)
      tx.insert(prices)
        .values(rows.slice(i, i + 200))
        .run()
  })
}
