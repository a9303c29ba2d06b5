import { hc } from 'hono/client'
import type { Catalog, Product, SearchResult } from '../../contracts/catalog.ts'
import { type Fetch, unwrap, unwrapOrNull } from '../../platform/http/remote.ts'
import type { CatalogRoutes } from './routes.ts'

// catalogClient is the Catalog contract over HTTP
export function catalogClient(base: string, fetch: Fetch): Catalog {
  const api = hc<CatalogRoutes>(base, { fetch }).internal.catalog
  return {
    // the product page's calls build their URL directly: hc's proxy costs ~8 µs per call
    product: async (id) =>
      unwrapOrNull<Product>(
        await fetch(`${base}/internal/catalog/products/${encodeURIComponent(id)}`),
      ),
    products: async (ids) =>
      ids.length === 0
        ? []
        : (
            await unwrap<{ items: Product[] }>(
              await api.products.$get({ query: { ids: ids.join(',') } }),
            )
          ).items,
    search: async (query) =>
      unwrap<SearchResult>(
        await api.search.$get({
          query: {
            q: query.q,
            category: query.category,
            limit: String(query.limit),
            offset: String(query.offset),
          },
        }),
      ),
  }
}
