import { count } from 'drizzle-orm'
import { productId, Rng, SEED_PRODUCTS, SEED_USERS, userId } from '../../domain/prng.ts'
import { type Db, write } from '../../platform/db/index.ts'
import { reviews } from './schema.ts'

// SEED_REVIEWS is how many reviews the demo data holds
export const SEED_REVIEWS = 5000

// reviews are dated within the year before this fixed instant, so every seed is identical
const BASE = Date.parse('2025-01-01T00:00:00.000Z')
const YEAR_MINUTES = 365 * 24 * 60

// ratings lean positive, as real shop reviews do
const RATINGS = [5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1]
const TEXTS: Record<number, string[]> = {
  5: ['Excellent, exactly as described.', 'Love it, would buy again.', 'Superb quality.'],
  4: ['Very good, small quibbles.', 'Does the job well.', 'Good value for money.'],
  3: ['It is fine.', 'Average, nothing special.', 'Okay for the price.'],
  2: ['Disappointing.', 'Not as sturdy as hoped.', 'Arrived late and scuffed.'],
  1: ['Broke after a week.', 'Would not recommend.', 'Not what the picture showed.'],
}

// seedReviews writes deterministic reviews by the demo users over the seeded products when the
// table is empty
export function seedReviews(db: Db): void {
  if ((db.select({ n: count() }).from(reviews).get()?.n ?? 0) > 0) return
  const rng = new Rng(3)
  const rows = Array.from({ length: SEED_REVIEWS }, (_, i) => {
    const rating = rng.pick(RATINGS)
    return {
      id: `r-${String(i + 1).padStart(5, '0')}`,
      productId: productId(rng.int(1, SEED_PRODUCTS)),
      userId: userId(rng.int(1, SEED_USERS)),
      rating,
      text: rng.pick(TEXTS[rating]!),
      createdAt: new Date(BASE - rng.int(1, YEAR_MINUTES) * 60_000).toISOString(),
    }
  })
  write(db, (tx) => {
    if ((tx.select({ n: count() }).from(reviews).get()?.n ?? 0) > 0) return
    for (let i = 0; i < rows.length; i += 500)
      tx.insert(reviews)
        .values(rows.slice(i, i + 500))
        .run()
  })
}
