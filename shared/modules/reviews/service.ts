import { randomUUID } from 'node:crypto'
import { avg, count, desc, eq, sql } from 'drizzle-orm'
import type { Catalog } from '../../contracts/catalog.ts'
import type { NewReviewInput, Review, ReviewSummary, Reviews } from '../../contracts/reviews.ts'
import { notFound } from '../../domain/errors.ts'
import { type Db, nowIso, write } from '../../platform/db/index.ts'
import { reviews } from './schema.ts'

// MAX_LIST is the most reviews one list call answers
export const MAX_LIST = 100

// ReviewsService keeps customers' reviews of the products the catalog knows
export class ReviewsService implements Reviews {
  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
  ) {}

  async summary(productId: string): Promise<ReviewSummary> {
    const stats = this.db
      .select({ average: avg(reviews.rating), count: count() })
      .from(reviews)
      .where(eq(reviews.productId, productId))
      .get()
    // avg() comes back as a string (SQLite's REAL, kept exact by drizzle), null without rows
    const average = stats?.average == null ? 0 : Math.round(Number(stats.average) * 100) / 100
    return { average, count: stats?.count ?? 0, latest: this.newest(productId, 5) }
  }

  async list(productId: string, limit = 50): Promise<Review[]> {
    await this.requireProduct(productId)
    return this.newest(productId, limit)
  }

  async add(productId: string, userId: string, input: NewReviewInput): Promise<Review> {
    await this.requireProduct(productId)
    const review: Review = {
      id: randomUUID(),
      productId,
      userId,
      rating: input.rating,
      text: input.text.trim(),
      createdAt: nowIso(),
    }
    write(this.db, (tx) => tx.insert(reviews).values(review).run())
    return review
  }

  private async requireProduct(productId: string): Promise<void> {
    if (!(await this.catalog.product(productId))) throw notFound('product')
  }

  private newest(productId: string, limit: number): Review[] {
    // rowid breaks ties between reviews written within the same millisecond
    return this.db
      .select()
      .from(reviews)
      .where(eq(reviews.productId, productId))
      .orderBy(desc(reviews.createdAt), sql`rowid desc`)
      .limit(Math.max(1, Math.min(limit, MAX_LIST)))
      .all()
  }
}
