import { count } from 'drizzle-orm'
import { productId, Rng, SEED_PRODUCTS } from '../../domain/prng.ts'
import { type Db, write } from '../../platform/db/index.ts'
import { stock } from './schema.ts'

// OUT_OF_STOCK_EVERY makes every 50th product (p-0050, p-0100, ...) sold out, to test with
export const OUT_OF_STOCK_EVERY = 50

// seedInventory gives every seeded product 20..500 units on hand (0 for every 50th) when the
// table is empty
export function seedInventory(db: Db): void {
  if ((db.select({ n: count() }).from(stock).get()?.n ?? 0) > 0) return
  const rng = new Rng(4)
  const rows = Array.from({ length: SEED_PRODUCTS }, (_, i) => {
    const units = rng.int(20, 500)
    const n = i + 1
    return {
      productId: productId(n),
      onHand: n % OUT_OF_STOCK_EVERY === 0 ? 0 : units,
      reserved: 0,
    }
  })
  write(db, (tx) => {
    if ((tx.select({ n: count() }).from(stock).get()?.n ?? 0) > 0) return
    for (let i = 0; i < rows.length; i += 300)
      tx.insert(stock)
        .values(rows.slice(i, i + 300))
        .run()
  })
}
