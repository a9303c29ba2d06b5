import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { Catalog, Product } from '../../contracts/catalog.ts'
import type { Inventory } from '../../contracts/inventory.ts'
import type { Pricing } from '../../contracts/pricing.ts'
import type { Reviews } from '../../contracts/reviews.ts'
import type { ProductPage, Storefront } from '../../contracts/storefront.ts'
import { DomainError, unavailable } from '../../domain/errors.ts'
import { memoryDatabase, testApp, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import { CatalogService, catalog } from '../catalog/index.ts'
import { InventoryService, inventory } from '../inventory/index.ts'
import { PricingService, pricing } from '../pricing/index.ts'
import { ReviewsService, reviews } from '../reviews/index.ts'
import { StorefrontService, storefrontClient, storefrontRoutes } from './index.ts'

const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof DomainError ? e.kind : `not a DomainError: ${e}`),
  )

// real neighbours on one in-memory database, for the contract suite
async function realNeighbours() {
  const database = await memoryDatabase(catalog, pricing, reviews, inventory)
  const catalogSvc = new CatalogService(database.db)
  return {
    database,
    catalog: catalogSvc,
    pricing: new PricingService(database.db),
    reviews: new ReviewsService(database.db, catalogSvc),
    inventory: new InventoryService(database.db),
  }
}

let real: Awaited<ReturnType<typeof realNeighbours>>
beforeAll(async () => {
  real = await realNeighbours()
})
afterAll(() => real.database.close())

threeWays<Storefront>(
  'Storefront',
  {
    service: async () => {
      const n = await realNeighbours()
      return {
        service: new StorefrontService(n.catalog, n.pricing, n.reviews, n.inventory, {
          partDeadlineMs: 2000,
        }),
        close: n.database.close,
      }
    },
    routes: storefrontRoutes,
    client: storefrontClient,
  },
  (svc) => {
    it('composes a product page from all four neighbours', async () => {
      const page = await svc().page('p-0001')
      const product = (await real.catalog.product('p-0001'))!
      const summary = await real.reviews.summary('p-0001')
      expect(page).toEqual({
        id: 'p-0001',
        name: product.name,
        description: product.description,
        category: 'books',
        price: (await real.pricing.price('p-0001'))!.price,
        rating: { average: summary.average, count: summary.count },
        reviews: summary.latest,
        stock: { available: (await real.inventory.stock('p-0001'))!.available },
        degraded: [],
      })
      expect(page.reviews!.length).toBeLessThanOrEqual(5)
    })

    it('shows a sold-out product with no stock available', async () => {
      expect((await svc().page('p-0050')).stock).toEqual({ available: 0 })
    })

    it('refuses an unknown product with not-found', async () => {
      expect(await failure(svc().page('p-9999'))).toBe('not-found')
    })

    it('lists a page of products with their prices', async () => {
      const list = await svc().list({ category: 'toys', limit: 5, offset: 0 })
      expect(list.total).toBe(125)
      expect(list.items).toHaveLength(5)
      for (const item of list.items) {
        expect(Object.keys(item).sort()).toEqual(['category', 'id', 'name', 'price'])
        expect(item.category).toBe('toys')
        expect(item.price).toEqual((await real.pricing.price(item.id))!.price)
      }
    })

    it('searches by name and answers an empty page past the end', async () => {
      const kites = await svc().list({ q: 'kite', limit: 100, offset: 0 })
      expect(kites.total).toBeGreaterThan(0)
      expect(kites.items.every((p) => p.name.toLowerCase().includes('kite'))).toBe(true)
      const past = await svc().list({ limit: 10, offset: 5000 })
      expect(past).toEqual({ items: [], total: 1000 })
    })
  },
)

// fakes: neighbours that answer, fail, hang or know nothing
const lamp: Product = { id: 'p-1', name: 'Lamp', description: 'A lamp', category: 'home' }
const hang = () => new Promise<never>(() => {})
const boom = async (): Promise<never> => {
  throw unavailable('down')
}

const catalogOf = (over: Partial<Catalog> = {}): Catalog => ({
  product: async (id) => (id === lamp.id ? lamp : null),
  products: async (ids) => (ids.includes(lamp.id) ? [lamp] : []),
  search: async () => ({ items: [lamp, { ...lamp, id: 'p-2', name: 'Lamp 2' }], total: 2 }),
  ...over,
})
const pricingOf = (over: Partial<Pricing> = {}): Pricing => ({
  price: async (id) => ({ productId: id, price: { amount: 9.99, currency: 'EUR' } }),
  prices: async (ids) =>
    ids.map((id) => ({ productId: id, price: { amount: 9.99, currency: 'EUR' } })),
  ...over,
})
const review = {
  id: 'r-1',
  productId: 'p-1',
  userId: 'u-0001',
  rating: 4,
  text: 'Bright',
  createdAt: '2025-01-01T00:00:00.000Z',
}
const reviewsOf = (over: Partial<Reviews> = {}): Reviews => ({
  summary: async () => ({ average: 4, count: 1, latest: [review] }),
  list: async () => [review],
  add: boom,
  ...over,
})
const inventoryOf = (over: Partial<Inventory> = {}): Inventory => ({
  stock: async (id) => ({ productId: id, available: 7 }),
  reserve: boom,
  release: boom,
  commit: boom,
  restock: boom,
  reserved: boom,
  ...over,
})

const storefrontOf = (
  n: { catalog?: Catalog; pricing?: Pricing; reviews?: Reviews; inventory?: Inventory } = {},
) =>
  new StorefrontService(
    n.catalog ?? catalogOf(),
    n.pricing ?? pricingOf(),
    n.reviews ?? reviewsOf(),
    n.inventory ?? inventoryOf(),
    { partDeadlineMs: 30, catalogDeadlineMs: 60 },
  )

describe('StorefrontService', () => {
  it('answers a full page when every neighbour answers', async () => {
    expect(await storefrontOf().page('p-1')).toEqual({
      ...lamp,
      price: { amount: 9.99, currency: 'EUR' },
      rating: { average: 4, count: 1 },
      reviews: [review],
      stock: { available: 7 },
      degraded: [],
    })
  })

  it('leaves out a failing pricing and names it in degraded', async () => {
    const page = await storefrontOf({ pricing: pricingOf({ price: boom }) }).page('p-1')
    expect(page.price).toBeNull()
    expect(page.degraded).toEqual(['pricing'])
    expect(page.stock).toEqual({ available: 7 })
  })

  it('leaves out reviews that hang past the deadline, rather than hanging', async () => {
    const page = await storefrontOf({ reviews: reviewsOf({ summary: hang }) }).page('p-1')
    expect(page.rating).toBeNull()
    expect(page.reviews).toBeNull()
    expect(page.degraded).toEqual(['reviews'])
    expect(page.price).toEqual({ amount: 9.99, currency: 'EUR' })
  })

  it('survives a neighbour that throws before returning a promise', async () => {
    const throwing: Inventory = {
      ...inventoryOf(),
      stock: () => {
        throw new Error('sync crash')
      },
    }
    const page = await storefrontOf({ inventory: throwing }).page('p-1')
    expect(page.stock).toBeNull()
    expect(page.degraded).toEqual(['inventory'])
  })

  it('starts the four calls of a page together, inside one call of together', async () => {
    let inside = false
    let rounds = 0
    const started: string[] = []
    const mark =
      <T>(name: string, value: T) =>
      async () => {
        if (inside) started.push(name)
        return value
      }
    const page = await new StorefrontService(
      catalogOf({ product: mark('catalog', lamp) }),
      pricingOf({
        price: mark('pricing', { productId: 'p-1', price: { amount: 1, currency: 'EUR' } }),
      }),
      reviewsOf({ summary: mark('reviews', { average: 4, count: 1, latest: [] }) }),
      inventoryOf({ stock: mark('inventory', { productId: 'p-1', available: 7 }) }),
      {
        partDeadlineMs: 30,
        together: (fn) => {
          rounds++
          inside = true
          try {
            return fn()
          } finally {
            inside = false
          }
        },
      },
    ).page('p-1')
    expect(page.degraded).toEqual([])
    expect(rounds).toBe(1)
    expect(started).toEqual(['catalog', 'pricing', 'reviews', 'inventory'])
  })

  it('names every missing part, in the order pricing, reviews, inventory', async () => {
    const page = await storefrontOf({
      inventory: inventoryOf({ stock: boom }),
      reviews: reviewsOf({ summary: boom }),
      pricing: pricingOf({ price: hang }),
    }).page('p-1')
    expect(page).toEqual({
      ...lamp,
      price: null,
      rating: null,
      reviews: null,
      stock: null,
      degraded: ['pricing', 'reviews', 'inventory'],
    })
  })

  it('shows a part a neighbour knows nothing about as null, without degrading', async () => {
    const page = await storefrontOf({
      pricing: pricingOf({ price: async () => null }),
      inventory: inventoryOf({ stock: async () => null }),
    }).page('p-1')
    expect(page.price).toBeNull()
    expect(page.stock).toBeNull()
    expect(page.degraded).toEqual([])
  })

  it('keeps at most five reviews from the summary', async () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ ...review, id: `r-${i}` }))
    const page = await storefrontOf({
      reviews: reviewsOf({ summary: async () => ({ average: 4, count: 8, latest: many }) }),
    }).page('p-1')
    expect(page.reviews!.map((r) => r.id)).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-4'])
    expect(page.rating).toEqual({ average: 4, count: 8 })
  })

  it('fails as unavailable when the catalog fails or hangs, and not-found for an unknown id', async () => {
    expect(await failure(storefrontOf({ catalog: catalogOf({ product: boom }) }).page('p-1'))).toBe(
      'unavailable',
    )
    expect(await failure(storefrontOf({ catalog: catalogOf({ product: hang }) }).page('p-1'))).toBe(
      'unavailable',
    )
    expect(await failure(storefrontOf().page('p-404'))).toBe('not-found')
  })

  it('lists products unpriced when pricing fails or hangs, and per item when a price is missing', async () => {
    for (const prices of [boom, hang]) {
      const list = await storefrontOf({ pricing: pricingOf({ prices }) }).list({
        limit: 10,
        offset: 0,
      })
      expect(list.items.map((i) => i.price)).toEqual([null, null])
      expect(list.total).toBe(2)
    }
    const partial = await storefrontOf({
      pricing: pricingOf({
        prices: async () => [{ productId: 'p-2', price: { amount: 1.5, currency: 'EUR' } }],
      }),
    }).list({ limit: 10, offset: 0 })
    expect(partial.items.map((i) => [i.id, i.price])).toEqual([
      ['p-1', null],
      ['p-2', { amount: 1.5, currency: 'EUR' }],
    ])
  })

  it('does not ask pricing about an empty page', async () => {
    let asked = 0
    const list = await storefrontOf({
      catalog: catalogOf({ search: async () => ({ items: [], total: 0 }) }),
      pricing: pricingOf({
        prices: async () => {
          asked++
          return []
        },
      }),
    }).list({ limit: 10, offset: 0 })
    expect(list).toEqual({ items: [], total: 0 })
    expect(asked).toBe(0)
  })

  it('fails the list as unavailable when the catalog search fails', async () => {
    expect(
      await failure(
        storefrontOf({ catalog: catalogOf({ search: boom }) }).list({ limit: 5, offset: 0 }),
      ),
    ).toBe('unavailable')
  })
})

describe('storefrontRoutes', () => {
  it('GET /api/products/:id answers 200 with degraded parts when neighbours fail or hang', async () => {
    const app = testApp(
      storefrontRoutes(
        storefrontOf({
          pricing: pricingOf({ price: hang }),
          inventory: inventoryOf({ stock: boom }),
        }),
      ),
    )
    const res = await app.request('/api/products/p-1')
    expect(res.status).toBe(200)
    const page = (await res.json()) as ProductPage
    expect(page.degraded).toEqual(['pricing', 'inventory'])
    expect(page.rating).toEqual({ average: 4, count: 1 })
  })

  it('GET /api/products/:id answers 503 with Retry-After when the catalog is down', async () => {
    const app = testApp(storefrontRoutes(storefrontOf({ catalog: catalogOf({ product: boom }) })))
    const res = await app.request('/api/products/p-1')
    expect(res.headers.get('retry-after')).toBeTruthy()
    await expectProblem(res, 503)
  })

  it('GET /api/products/:id answers 404 for an unknown id and 400 for a huge one', async () => {
    const app = testApp(storefrontRoutes(storefrontOf()))
    await expectProblem(await app.request('/api/products/p-404'), 404)
    await expectProblem(await app.request(`/api/products/${'x'.repeat(65)}`), 400)
  })

  it('GET /api/products answers the list, and 503 when the catalog is down', async () => {
    const app = testApp(storefrontRoutes(storefrontOf()))
    const res = await app.request('/api/products?q=lamp&limit=2')
    expect(res.status).toBe(200)
    expect(((await res.json()) as { total: number }).total).toBe(2)
    const down = testApp(storefrontRoutes(storefrontOf({ catalog: catalogOf({ search: boom }) })))
    await expectProblem(await down.request('/api/products'), 503)
  })

  it('GET /api/products refuses bad paging and oversized filters with 400', async () => {
    const app = testApp(storefrontRoutes(storefrontOf()))
    for (const query of [
      'limit=0',
      'limit=100000',
      'limit=abc',
      'limit=2.5',
      'offset=-1',
      'offset=1e309',
      `q=${'q'.repeat(201)}`,
      `category=${'c'.repeat(51)}`,
    ]) {
      await expectProblem(await app.request(`/api/products?${query}`), 400)
    }
  })
})
