import { and, asc, count, eq, inArray, type SQL, sql } from 'drizzle-orm'
import type { Catalog, Product, SearchQuery, SearchResult } from '../../contracts/catalog.ts'
import type { Db } from '../../platform/db/index.ts'
import { products } from './schema.ts'

// CatalogService keeps products in its own table and finds them by name and category
export class CatalogService implements Catalog {
  constructor(private readonly db: Db) {}

  async product(id: string): Promise<Product | null> {
    return this.db.select().from(products).where(eq(products.id, id)).get() ?? null
  }

  async products(ids: string[]): Promise<Product[]> {
    if (ids.length === 0) return []
    return this.db.select().from(products).where(inArray(products.id, ids)).all()
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const where: SQL[] = []
    // LIKE is case-insensitive for ASCII in SQLite; % and _ in the query are escaped
    if (query.q) {
      const pattern = `%${query.q.replace(/[%_\\]/g, '\\$&')}%`
      where.push(sql`${products.name} LIKE ${pattern} ESCAPE '\\'`)
    }
    if (query.category) where.push(eq(products.category, query.category))
    const filter = where.length ? and(...where) : undefined
    const items = this.db
      .select()
      .from(products)
      .where(filter)
      .orderBy(asc(products.id))
      .limit(query.limit)
      .offset(query.offset)
      .all()
    const total = this.db.select({ n: count() }).from(products).where(filter).get()?.n ?? 0
    return { items, total }
  }
}
