import { hc } from 'hono/client'
import type { ProductList, ProductPage, Storefront } from '../../contracts/storefront.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { StorefrontRoutes } from './routes.ts'

// storefrontClient is the Storefront contract over HTTP (its routes are the public ones)
export function storefrontClient(base: string, fetch: Fetch): Storefront {
  const api = hc<StorefrontRoutes>(base, { fetch }).api.products
  return {
    page: async (productId) =>
      unwrap<ProductPage>(await api[':id'].$get({ param: { id: productId } })),
    list: async (query) =>
      unwrap<ProductList>(
        await api.$get({
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
