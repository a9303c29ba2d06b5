import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { count, max, min } from 'drizzle-orm'
import type { Pricing } from '../../contracts/pricing.ts'
import { SEED_PRODUCTS } from '../../domain/prng.ts'
import type { Database } from '../../platform/db/index.ts'
import { memoryDatabase, testApp, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import { PricingService, pricing, pricingClient, pricingRoutes } from './index.ts'
import { prices } from './schema.ts'
import { seedPricing } from './seed.ts'

threeWays<Pricing>(
  'Pricing',
  {
    service: async () => {
      const database = await memoryDatabase(pricing)
      return { service: new PricingService(database.db), close: database.close }
    },
    routes: pricingRoutes,
    client: pricingClient,
  },
  (svc) => {
    it('prices a seeded product in euros', async () => {
      const p = await svc().price('p-0001')
      expect(p).toEqual({
        productId: 'p-0001',
        price: { amount: expect.any(Number), currency: 'EUR' },
      })
      expect(p!.price.amount).toBeGreaterThanOrEqual(2.99)
      expect(p!.price.amount).toBeLessThanOrEqual(499.99)
      // amounts carry at most two decimals
      expect(Math.round(p!.price.amount * 100) / 100).toBe(p!.price.amount)
    })

    it('answers null for a product without a price', async () => {
      expect(await svc().price('p-9999')).toBeNull()
    })

    it('prices several products at once, skipping unknown and repeated ids', async () => {
      const items = await svc().prices(['p-0002', 'p-0003', 'p-0002', 'nope'])
      expect(items.map((p) => p.productId).sort()).toEqual(['p-0002', 'p-0003'])
      const single = await svc().price('p-0003')
      expect(items.find((p) => p.productId === 'p-0003')).toEqual(single!)
    })

    it('answers an empty list for no ids', async () => {
      expect(await svc().prices([])).toEqual([])
    })
  },
)

describe('seedPricing', () => {
  let database: Database
  beforeAll(async () => {
    database = await memoryDatabase(pricing)
  })
  afterAll(() => database.close())

  it('prices every seeded product between 2.99 and 499.99, once', () => {
    const stats = () =>
      database.db
        .select({ n: count(), lo: min(prices.amountCents), hi: max(prices.amountCents) })
        .from(prices)
        .get()
    expect(stats()?.n).toBe(SEED_PRODUCTS)
    expect(stats()?.lo).toBeGreaterThanOrEqual(299)
    expect(stats()?.hi).toBeLessThanOrEqual(49_999)
    seedPricing(database.db)
    expect(stats()?.n).toBe(SEED_PRODUCTS)
  })

  it('seeds the same prices in every database', async () => {
    const other = await memoryDatabase(pricing)
    const all = (db: Database['db']) => db.select().from(prices).orderBy(prices.productId).all()
    expect(all(other.db)).toEqual(all(database.db))
    other.close()
  })
})

describe('pricingRoutes', () => {
  let database: Database
  let app: ReturnType<typeof testApp>
  beforeAll(async () => {
    database = await memoryDatabase(pricing)
    app = testApp(pricingRoutes(new PricingService(database.db)))
  })
  afterAll(() => database.close())

  it('GET /internal/pricing/prices/:id answers the price, 404 when unknown', async () => {
    const res = await app.request('/internal/pricing/prices/p-0010')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ productId: 'p-0010', price: { currency: 'EUR' } })
    await expectProblem(await app.request('/internal/pricing/prices/p-9999'), 404)
  })

  it('GET /internal/pricing/prices?ids= answers the known ones', async () => {
    const res = await app.request('/internal/pricing/prices?ids=p-0010,p-0011,zzz')
    const body = (await res.json()) as { items: { productId: string }[] }
    expect(body.items.map((p) => p.productId).sort()).toEqual(['p-0010', 'p-0011'])
  })

  it('refuses a missing or huge ids list and a huge id with 400', async () => {
    await expectProblem(await app.request('/internal/pricing/prices'), 400)
    await expectProblem(
      await app.request(`/internal/pricing/prices?ids=${'p,'.repeat(10_001)}`),
      400,
    )
    await expectProblem(await app.request(`/internal/pricing/prices/${'x'.repeat(65)}`), 400)
  })
})
