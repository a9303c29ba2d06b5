import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { count } from 'drizzle-orm'
import type { Catalog } from '../../contracts/catalog.ts'
import type { Review, Reviews } from '../../contracts/reviews.ts'
import { DomainError, unavailable } from '../../domain/errors.ts'
import type { Database } from '../../platform/db/index.ts'
import { memoryDatabase, testApp, testTokens, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import { CatalogService, catalog } from '../catalog/index.ts'
import { ReviewsService, reviews, reviewsClient, reviewsRoutes, SEED_REVIEWS } from './index.ts'
import { reviews as reviewsTable } from './schema.ts'
import { seedReviews } from './seed.ts'

const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof DomainError ? e.kind : `not a DomainError: ${e}`),
  )

const newestFirst = (items: { createdAt: string }[]) =>
  items.every((r, i) => i === 0 || items[i - 1]!.createdAt >= r.createdAt)

threeWays<Reviews>(
  'Reviews',
  {
    service: async () => {
      const database = await memoryDatabase(catalog, reviews)
      return {
        service: new ReviewsService(
          database.db,
          new CatalogService(database.db),
          database.readTogether,
        ),
        close: database.close,
      }
    },
    routes: reviewsRoutes,
    client: reviewsClient,
  },
  (svc) => {
    it('summarises a product: rounded average, count and the five newest', async () => {
      const all = await svc().list('p-0001', 100)
      expect(all.length).toBeGreaterThan(0)
      const summary = await svc().summary('p-0001')
      expect(summary.count).toBe(all.length)
      const mean = all.reduce((s, r) => s + r.rating, 0) / all.length
      expect(summary.average).toBe(Math.round(mean * 100) / 100)
      expect(summary.latest).toEqual(all.slice(0, 5))
    })

    it('summarises a product without reviews as zero', async () => {
      expect(await svc().summary('p-9999')).toEqual({ average: 0, count: 0, latest: [] })
    })

    it('lists a product’s reviews newest first, honouring a limit', async () => {
      const items = await svc().list('p-0003')
      expect(items.every((r) => r.productId === 'p-0003')).toBe(true)
      expect(newestFirst(items)).toBe(true)
      expect(await svc().list('p-0003', 1)).toEqual(items.slice(0, 1))
    })

    it('adds a review that then leads the list and the summary', async () => {
      const before = await svc().summary('p-0004')
      const review = await svc().add('p-0004', 'u-0005', { rating: 1, text: ' Broke at once ' })
      expect(review).toEqual({
        id: expect.any(String),
        productId: 'p-0004',
        userId: 'u-0005',
        rating: 1,
        text: 'Broke at once',
        createdAt: expect.any(String),
      })
      expect((await svc().list('p-0004'))[0]).toEqual(review)
      const after = await svc().summary('p-0004')
      expect(after.count).toBe(before.count + 1)
      expect(after.latest[0]).toEqual(review)
    })

    it('refuses to list or review a product the catalog does not know', async () => {
      expect(await failure(svc().list('p-9999'))).toBe('not-found')
      expect(await failure(svc().add('p-9999', 'u-0001', { rating: 3, text: 'hm' }))).toBe(
        'not-found',
      )
    })
  },
)

describe('seedReviews', () => {
  let database: Database
  beforeAll(async () => {
    database = await memoryDatabase(reviews)
  })
  afterAll(() => database.close())

  it('writes the demo reviews once, with ratings 1..5 and fixed dates', () => {
    const rows = database.db.select().from(reviewsTable).all()
    expect(rows).toHaveLength(SEED_REVIEWS)
    expect(rows.every((r) => r.rating >= 1 && r.rating <= 5)).toBe(true)
    expect(rows.every((r) => r.createdAt < '2025-01-01')).toBe(true)
    seedReviews(database.db)
    expect(database.db.select({ n: count() }).from(reviewsTable).get()?.n).toBe(SEED_REVIEWS)
  })

  it('seeds the same reviews in every database', async () => {
    const other = await memoryDatabase(reviews)
    const all = (db: Database['db']) =>
      db.select().from(reviewsTable).orderBy(reviewsTable.id).all()
    expect(all(other.db)).toEqual(all(database.db))
    other.close()
  })
})

describe('ReviewsService', () => {
  it('reads a summary’s figures and latest reviews in one snapshot', async () => {
    const database = await memoryDatabase(catalog, reviews)
    let rounds = 0
    const svc = new ReviewsService(database.db, new CatalogService(database.db), (fn) => {
      rounds++
      return database.readTogether(fn)
    })
    const summary = await svc.summary('p-0001')
    expect(summary.count).toBeGreaterThan(0)
    expect(summary.latest.length).toBe(Math.min(5, summary.count))
    expect(rounds).toBe(1)
    database.close()
  })

  it('fails with the catalog’s error when the catalog is down', async () => {
    const database = await memoryDatabase(reviews)
    const down: Catalog = {
      product: async () => {
        throw unavailable('catalog is down')
      },
      products: async () => [],
      search: async () => ({ items: [], total: 0 }),
    }
    const svc = new ReviewsService(database.db, down)
    expect(await failure(svc.add('p-0001', 'u-0001', { rating: 5, text: 'x' }))).toBe('unavailable')
    // the summary needs no catalog, so it still answers
    expect((await svc.summary('p-0001')).count).toBeGreaterThan(0)
    database.close()
  })
})

describe('reviewsRoutes', () => {
  let database: Database
  let app: ReturnType<typeof testApp>
  let auth: { Authorization: string }
  beforeAll(async () => {
    database = await memoryDatabase(catalog, reviews)
    app = testApp(reviewsRoutes(new ReviewsService(database.db, new CatalogService(database.db))))
    const token = await testTokens.issue({
      id: 'u-0011',
      email: 'demo11@twinstack.dev',
      role: 'customer',
    })
    auth = { Authorization: `Bearer ${token}` }
  })
  afterAll(() => database.close())

  const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })

  it('GET /api/products/:id/reviews lists reviews newest first, without the product id', async () => {
    const res = await app.request('/api/products/p-0002/reviews')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { items: Omit<Review, 'productId'>[] }
    expect(body.items.length).toBeGreaterThan(0)
    expect(Object.keys(body.items[0]!).sort()).toEqual([
      'createdAt',
      'id',
      'rating',
      'text',
      'userId',
    ])
    expect(newestFirst(body.items)).toBe(true)
  })

  it('GET /api/products/:id/reviews answers 404 for an unknown product, 400 for bad input', async () => {
    await expectProblem(await app.request('/api/products/p-9999/reviews'), 404)
    await expectProblem(await app.request('/api/products/p-0002/reviews?limit=0'), 400)
    await expectProblem(await app.request('/api/products/p-0002/reviews?limit=abc'), 400)
    await expectProblem(await app.request(`/api/products/${'x'.repeat(65)}/reviews`), 400)
  })

  it('POST /api/products/:id/reviews adds a review as the signed-in user', async () => {
    const res = await post('/api/products/p-0006/reviews', { rating: 4, text: 'Nice one' })
    expect(res.status).toBe(201)
    const review = (await res.json()) as Review
    expect(review).toMatchObject({ productId: 'p-0006', userId: 'u-0011', rating: 4 })
    const list = (await (await app.request('/api/products/p-0006/reviews')).json()) as {
      items: { id: string }[]
    }
    expect(list.items[0]!.id).toBe(review.id)
  })

  it('POST /api/products/:id/reviews answers 401 without or with a bad token', async () => {
    await expectProblem(
      await post('/api/products/p-0006/reviews', { rating: 4, text: 'x' }, {}),
      401,
    )
    await expectProblem(
      await post(
        '/api/products/p-0006/reviews',
        { rating: 4, text: 'x' },
        { Authorization: 'Bearer forged' },
      ),
      401,
    )
  })

  it('POST /api/products/:id/reviews refuses bad bodies with 400 and stores none of them', async () => {
    const path = '/api/products/p-0007/reviews'
    const before = database.db.select({ n: count() }).from(reviewsTable).get()?.n
    const bad: unknown[] = [
      '{"rating": ',
      '"just a string"',
      {},
      { rating: '4', text: 'x' },
      { rating: 4 },
      { text: 'no rating' },
      { rating: 0, text: 'x' },
      { rating: 6, text: 'x' },
      { rating: 4.5, text: 'x' },
      { rating: 1e308, text: 'x' },
      { rating: 4, text: '   ' },
      { rating: 4, text: 'x'.repeat(5001) },
      { rating: 4, text: ['x'] },
    ]
    for (const body of bad) await expectProblem(await post(path, body), 400)
    expect(database.db.select({ n: count() }).from(reviewsTable).get()?.n).toBe(before!)
  })

  it('POST /api/products/:id/reviews answers 404 for an unknown product and 413 for 2 MB', async () => {
    await expectProblem(await post('/api/products/p-9999/reviews', { rating: 4, text: 'x' }), 404)
    await expectProblem(
      await post('/api/products/p-0007/reviews', { rating: 4, text: 'x'.repeat(2_000_000) }),
      413,
    )
  })

  it('POST /internal/reviews/products/:id refuses a missing user id and bad bodies with 400', async () => {
    const path = '/internal/reviews/products/p-0007'
    await expectProblem(await post(path, { rating: 4, text: 'x' }, {}), 400)
    await expectProblem(await post(path, '{', {}), 400)
    await expectProblem(await post(path, { userId: 'x'.repeat(65), rating: 4, text: 'x' }, {}), 400)
    await expectProblem(
      await post('/internal/reviews/products/p-9999', { userId: 'u-1', rating: 4, text: 'x' }, {}),
      404,
    )
  })

  it('GET /internal/reviews/summary/:id answers the summary, 400 for a huge id', async () => {
    const res = await app.request('/internal/reviews/summary/p-0002')
    const body = (await res.json()) as { count: number; latest: unknown[] }
    expect(body.count).toBeGreaterThan(0)
    expect(body.latest.length).toBeLessThanOrEqual(5)
    await expectProblem(await app.request(`/internal/reviews/summary/${'x'.repeat(65)}`), 400)
  })
})
