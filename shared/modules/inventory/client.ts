import { hc } from 'hono/client'
import type { Inventory, Reservation, Stock } from '../../contracts/inventory.ts'
import { type Fetch, unwrap, unwrapOrNull } from '../../platform/http/remote.ts'
import type { InventoryRoutes } from './routes.ts'

// inventoryClient is the Inventory contract over HTTP
export function inventoryClient(base: string, fetch: Fetch): Inventory {
  const api = hc<InventoryRoutes>(base, { fetch }).internal.inventory
  const reservation = api.reservations[':id']
  return {
    stock: async (productId) =>
      unwrapOrNull<Stock>(await api.stock[':id'].$get({ param: { id: productId } })),
    reserve: async (input) => unwrap<Reservation>(await api.reservations.$post({ json: input })),
    release: async (id) => unwrap<Reservation>(await reservation.release.$post({ param: { id } })),
    commit: async (id) => unwrap<Reservation>(await reservation.commit.$post({ param: { id } })),
  }
}
