import { expect, it } from 'bun:test'
import type { Catalog } from '../../contracts/catalog.ts'
import { SEED_PRODUCTS } from '../../domain/prng.ts'
import { memoryDatabase, threeWays } from '../../testing/harness.ts'
import { CatalogService, catalog, catalogClient, catalogRoutes } from './index.ts'

threeWays<Catalog>(
  'Catalog',
  {
    service: async () => {
      const database = await memoryDatabase(catalog)
      return {
        service: new CatalogService(database.db, database.readTogether),
        close: database.close,
      }
    },
    routes: catalogRoutes,
    client: catalogClient,
  },
  (catalog) => {
    it('finds a seeded product by id', async () => {
      const p = await catalog().product('p-0001')
      expect(p).toMatchObject({ id: 'p-0001', category: 'books' })
      expect(p?.name.length).toBeGreaterThan(3)
    })

    it('answers null for an unknown id', async () => {
      expect(await catalog().product('p-9999')).toBeNull()
    })

    it('looks up several products at once, skipping unknown ids', async () => {
      const items = await catalog().products(['p-0002', 'p-0003', 'nope'])
      expect(items.map((p) => p.id).sort()).toEqual(['p-0002', 'p-0003'])
    })

    it('pages through every seeded product', async () => {
      const page = await catalog().search({ limit: 10, offset: 0 })
      expect(page.total).toBe(SEED_PRODUCTS)
      expect(page.items).toHaveLength(10)
      const last = await catalog().search({ limit: 10, offset: SEED_PRODUCTS - 3 })
      expect(last.items).toHaveLength(3)
    })

    it('filters by category and by a case-insensitive name match', async () => {
      const toys = await catalog().search({ category: 'toys', limit: 100, offset: 0 })
      expect(toys.total).toBe(SEED_PRODUCTS / 8)
      expect(toys.items.every((p) => p.category === 'toys')).toBe(true)
      const kites = await catalog().search({ q: 'KITE', limit: 100, offset: 0 })
      expect(kites.total).toBeGreaterThan(0)
      expect(kites.items.every((p) => p.name.toLowerCase().includes('kite'))).toBe(true)
    })

    it('treats % and _ in a query as plain characters', async () => {
      expect((await catalog().search({ q: '%', limit: 5, offset: 0 })).total).toBe(0)
      expect((await catalog().search({ q: '_', limit: 5, offset: 0 })).total).toBe(0)
    })
  },
)

it('reads a search page and its total in one snapshot', async () => {
  const database = await memoryDatabase(catalog)
  let rounds = 0
  const svc = new CatalogService(database.db, (fn) => {
    rounds++
    return database.readTogether(fn)
  })
  const found = await svc.search({ category: 'books', limit: 5, offset: 0 })
  expect(found.items).toHaveLength(5)
  expect(found.total).toBeGreaterThan(5)
  expect(rounds).toBe(1)
  database.close()
})
