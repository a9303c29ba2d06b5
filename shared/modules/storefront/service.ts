import type { Catalog, Product, SearchResult } from '../../contracts/catalog.ts'
import type { Inventory } from '../../contracts/inventory.ts'
import type { Pricing } from '../../contracts/pricing.ts'
import type { Reviews } from '../../contracts/reviews.ts'
import type { ProductList, ProductPage, Storefront } from '../../contracts/storefront.ts'
import { notFound, unavailable } from '../../domain/errors.ts'
import { alone, type Together } from '../../platform/db/index.ts'

// StorefrontOptions bounds how long the aggregator waits for its neighbours
export interface StorefrontOptions {
  // an optional part (pricing, reviews, inventory) slower than this is left out as degraded
  partDeadlineMs: number
  // the catalog is essential, so it gets longer (default 5 × partDeadlineMs), but not forever
  catalogDeadlineMs?: number
  // starts the four calls of a page together (BuildContext.together: one read snapshot when
  // the neighbours run in this process; default: just starts them)
  together?: Together
}

type Outcome<T> = { ok: true; value: T } | { ok: false }

// settle runs one neighbour call and always resolves, within ms: with its value, or as failed
// (a rejection, a synchronous throw, or no answer in time)
function settle<T>(call: () => Promise<T>, ms: number): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false }), ms)
    const done = (outcome: Outcome<T>) => {
      clearTimeout(timer)
      resolve(outcome)
    }
    let pending: Promise<T>
    try {
      pending = Promise.resolve(call())
    } catch (error) {
      pending = Promise.reject(error)
    }
    pending.then(
      (value) => done({ ok: true, value }),
      () => done({ ok: false }),
    )
  })
}

// StorefrontService composes the product page and the product list from catalog, pricing,
// reviews and inventory; only the catalog is essential
export class StorefrontService implements Storefront {
  private readonly partMs: number
  private readonly catalogMs: number
  private readonly together: Together

  constructor(
    private readonly catalog: Catalog,
    private readonly pricing: Pricing,
    private readonly reviews: Reviews,
    private readonly inventory: Inventory,
    opts: StorefrontOptions,
  ) {
    this.partMs = opts.partDeadlineMs
    this.catalogMs = opts.catalogDeadlineMs ?? opts.partDeadlineMs * 5
    this.together = opts.together ?? alone
  }

  async page(productId: string): Promise<ProductPage> {
    // all four calls start at once, together (in process their reads run right away, in one
    // snapshot); the page waits for the slowest within its deadline
    const [product, price, summary, stock] = this.together(
      () =>
        [
          settle(() => this.catalog.product(productId), this.catalogMs),
          settle(() => this.pricing.price(productId), this.partMs),
          settle(() => this.reviews.summary(productId), this.partMs),
          settle(() => this.inventory.stock(productId), this.partMs),
        ] as const,
    )
    const p = this.essential(await product)
    if (!p) throw notFound('product')
    const [priced, reviewed, stocked] = await Promise.all([price, summary, stock])
    const degraded: ProductPage['degraded'] = []
    if (!priced.ok) degraded.push('pricing')
    if (!reviewed.ok) degraded.push('reviews')
    if (!stocked.ok) degraded.push('inventory')
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      category: p.category,
      price: priced.ok ? (priced.value?.price ?? null) : null,
      rating: reviewed.ok ? { average: reviewed.value.average, count: reviewed.value.count } : null,
      reviews: reviewed.ok ? reviewed.value.latest.slice(0, 5) : null,
      stock: stocked.ok && stocked.value ? { available: stocked.value.available } : null,
      degraded,
    }
  }

  async list(query: Parameters<Storefront['list']>[0]): Promise<ProductList> {
    const found: SearchResult = this.essential(
      await settle(() => this.catalog.search(query), this.catalogMs),
    )
    const ids = found.items.map((p) => p.id)
    // prices depend on the ids of the page; without pricing the list still shows, unpriced
    const priced = ids.length
      ? await settle(() => this.pricing.prices(ids), this.partMs)
      : { ok: true as const, value: [] }
    const byId = new Map(priced.ok ? priced.value.map((p) => [p.productId, p.price]) : [])
    return {
      items: found.items.map((p) => ({
        id: p.id,
        name: p.name,
        category: p.category,
        price: byId.get(p.id) ?? null,
      })),
      total: found.total,
    }
  }

  private essential<T extends Product | null | SearchResult>(outcome: Outcome<T>): T {
    if (!outcome.ok) throw unavailable('catalog is unavailable')
    return outcome.value
  }
}
