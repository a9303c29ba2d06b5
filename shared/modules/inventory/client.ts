import { hc } from 'hono/client'
import type { Inventory, Reservation, Stock } from '../../contracts/inventory.ts'
import { type Fetch, unwrap, unwrapOrNull } from '../../platform/http/remote.ts'
import type { InventoryRoutes } from './routes.ts'

// inventoryClient is the Inventory contract over HTTP
export function inventoryClient(base: string, fetch: Fetch): Inventory {
  const api = hc<InventoryRoutes>(base, { fetch }).internal.inventory
  const ref = api.references[':reference']
  return {
    // the product page's calls build their URL directly: hc's proxy costs ~8 µs per call
    stock: async (productId) =>
      unwrapOrNull<Stock>(
        await fetch(`${base}/internal/inventory/stock/${encodeURIComponent(productId)}`),
      ),
    reserve: async (input) => unwrap<Reservation>(await api.reservations.$post({ json: input })),
    release: async (reference) =>
      unwrap<Reservation>(await ref.release.$post({ param: { reference } })),
    commit: async (reference) =>
      unwrap<Reservation>(await ref.commit.$post({ param: { reference } })),
    restock: async (reference) =>
      unwrap<Reservation>(await ref.restock.$post({ param: { reference } })),
    reserved: async () => (await unwrap<{ reserved: number }>(await api.reserved.$get())).reserved,
  }
}
