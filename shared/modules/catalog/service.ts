import { and, asc, count, eq, type SQL, sql } from 'drizzle-orm'
import type { Catalog, Product, SearchQuery, SearchResult } from '../../contracts/catalog.ts'
import { alone, type Db, type Together } from '../../platform/db/index.ts'
import { products } from './schema.ts'

const id = sql.placeholder('id')
const ids = sql.placeholder('ids')
const pattern = sql.placeholder('pattern')
const category = sql.placeholder('category')
const limit = sql.placeholder('limit')
const offset = sql.placeholder('offset')

// the statements of one database, prepared once: a search has four shapes (with or without a
// name pattern, with or without a category), each its own statement so SQLite can use indexes
function statements(db: Db) {
  const search = (withPattern: boolean, withCategory: boolean) => {
    const where: SQL[] = []
    // LIKE is case-insensitive for ASCII in SQLite; % and _ in the query are escaped
    if (withPattern) where.push(sql`${products.name} LIKE ${pattern} ESCAPE '\\'`)
    if (withCategory) where.push(eq(products.category, category))
    const filter = where.length ? and(...where) : undefined
    return {
      items: db
        .select()
        .from(products)
        .where(filter)
        .orderBy(asc(products.id))
        .limit(limit)
        .offset(offset)
        .prepare(),
      total: db.select({ n: count() }).from(products).where(filter).prepare(),
    }
  }
  return {
    // read on every product page: rows come back as arrays in this column order (toProduct),
    // which skips drizzle's per-column mapping (~1 µs a row)
    byId: db
      .select({
        id: products.id,
        name: products.name,
        description: products.description,
        category: products.category,
      })
      .from(products)
      .where(eq(products.id, id))
      .prepare(),
    // one statement for any number of ids: they travel as one JSON array
    byIds: db
      .select()
      .from(products)
      .where(sql`${products.id} IN (SELECT value FROM json_each(${ids}))`)
      .prepare(),
    search: [search(false, false), search(false, true), search(true, false), search(true, true)],
  }
}

type ProductRow = [string, string, string, string]
const toProduct = ([id, name, description, category]: ProductRow): Product => ({
  id,
  name,
  description,
  category,
})

// CatalogService keeps products in its own table and finds them by name and category
export class CatalogService implements Catalog {
  private readonly q: ReturnType<typeof statements>

  // snapshot: BuildContext.snapshot (a search reads its page and its total in one)
  constructor(
    db: Db,
    private readonly snapshot: Together = alone,
  ) {
    this.q = statements(db)
  }

  async product(productId: string): Promise<Product | null> {
    const row = this.q.byId.values({ id: productId })[0] as ProductRow | undefined
    return row ? toProduct(row) : null
  }

  async products(productIds: string[]): Promise<Product[]> {
    if (productIds.length === 0) return []
    return this.q.byIds.all({ ids: JSON.stringify(productIds) })
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const shape = this.q.search[(query.q ? 2 : 0) + (query.category ? 1 : 0)]!
    const params = {
      pattern: query.q ? `%${query.q.replace(/[%_\\]/g, '\\$&')}%` : null,
      category: query.category ?? null,
      limit: query.limit,
      offset: query.offset,
    }
    // the page and the total from one snapshot: a product added between them cannot make the
    // total disagree with the page
    return this.snapshot(() => ({
      items: shape.items.all(params),
      total: shape.total.get(params)?.n ?? 0,
    }))
  }
}
