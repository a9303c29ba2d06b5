import { randomUUID } from 'node:crypto'
import { avg, count, desc, eq, sql } from 'drizzle-orm'
import type { Catalog } from '../../contracts/catalog.ts'
import type { NewReviewInput, Review, ReviewSummary, Reviews } from '../../contracts/reviews.ts'
import { notFound } from '../../domain/errors.ts'
import { alone, type Db, nowIso, type Together, write } from '../../platform/db/index.ts'
import { reviews } from './schema.ts'

// MAX_LIST is the most reviews one list call answers
export const MAX_LIST = 100

const product = sql.placeholder('productId')

type ReviewRow = [string, string, string, number, string, string]
const toReview = ([id, productId, userId, rating, text, createdAt]: ReviewRow): Review => ({
  id,
  productId,
  userId,
  rating,
  text,
  createdAt,
})

// the statements of one database, prepared once
const statements = (db: Db) => ({
  stats: db
    .select({ average: avg(reviews.rating), count: count() })
    .from(reviews)
    .where(eq(reviews.productId, product))
    .prepare(),
  // rowid breaks ties between reviews written within the same millisecond; rows come back as
  // plain arrays in this column order (toReview), which skips drizzle's per-column mapping
  newest: db
    .select({
      id: reviews.id,
      productId: reviews.productId,
      userId: reviews.userId,
      rating: reviews.rating,
      text: reviews.text,
      createdAt: reviews.createdAt,
    })
    .from(reviews)
    .where(eq(reviews.productId, product))
    .orderBy(desc(reviews.createdAt), sql`rowid desc`)
    .limit(sql.placeholder('limit'))
    .prepare(),
  insert: db
    .insert(reviews)
    .values({
      id: sql.placeholder('id'),
      productId: product,
      userId: sql.placeholder('userId'),
      rating: sql.placeholder('rating'),
      text: sql.placeholder('text'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
})

// ReviewsService keeps customers' reviews of the products the catalog knows
export class ReviewsService implements Reviews {
  private readonly q: ReturnType<typeof statements>

  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
    // BuildContext.snapshot: a summary reads its figures and its latest reviews in one
    private readonly snapshot: Together = alone,
  ) {
    this.q = statements(db)
  }

  async summary(productId: string): Promise<ReviewSummary> {
    // one row [average, count] as an array (drizzle's per-column mapping skipped: every page);
    // the average is null without reviews. Figures and latest reviews from one snapshot: a
    // review added between the two reads cannot be counted and missing (or the reverse)
    return this.snapshot(() => {
      const [average, n] = this.q.stats.values({ productId })[0] as [number | null, number]
      return {
        average: average == null ? 0 : Math.round(Number(average) * 100) / 100,
        count: n ?? 0,
        latest: this.newest(productId, 5),
      }
    })
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
    // the prepared insert runs on the same connection, so inside the IMMEDIATE transaction
    write(this.db, () => this.q.insert.run(review))
    return review
  }

  private async requireProduct(productId: string): Promise<void> {
    if (!(await this.catalog.product(productId))) throw notFound('product')
  }

  private newest(productId: string, limit: number): Review[] {
    const rows = this.q.newest.values({ productId, limit: Math.max(1, Math.min(limit, MAX_LIST)) })
    return (rows as ReviewRow[]).map(toReview)
  }
}
