import { hc } from 'hono/client'
import type {
  Order,
  OrderEvent,
  OrderPage,
  Orders,
  StoredEvent,
  UserOrders,
  UserOrdersView,
} from '../../contracts/orders.ts'
import { type Fetch, unwrap, unwrapOrNull } from '../../platform/http/remote.ts'
import type { OrdersRoutes } from './routes.ts'

// ordersClient is the Orders contract (and a customer's orders) over HTTP
export function ordersClient(base: string, fetch: Fetch): Orders & UserOrders {
  const api = hc<OrdersRoutes>(base, { fetch }).internal.orders
  const order = api.orders[':id']
  return {
    place: async (input) => unwrap<Order>(await api.orders.$post({ json: input })),
    order: async (id) => unwrapOrNull<Order>(await order.$get({ param: { id } })),
    events: async (id) =>
      (await unwrap<{ items: OrderEvent[] }>(await order.events.$get({ param: { id } }))).items,
    append: async (id, expectedVersion, events) =>
      unwrap<Order>(await order.events.$post({ param: { id }, json: { expectedVersion, events } })),
    ship: async (id) => unwrap<Order>(await order.ship.$post({ param: { id } })),
    cancel: async (id, byUserId) =>
      unwrap<Order>(await order.cancel.$post({ param: { id }, json: { byUserId } })),
    ordersOf: async (userId, page = {}) =>
      (
        await unwrap<{ items: Order[] }>(
          await api.users[':id'].orders.$get({ param: { id: userId }, query: pageQuery(page) }),
        )
      ).items,
    userOrders: async (userId, page = {}) =>
      unwrap<UserOrdersView>(
        await api.users[':id'].$get({ param: { id: userId }, query: pageQuery(page) }),
      ),
    allEvents: async (after, limit) =>
      (
        await unwrap<{ items: StoredEvent[] }>(
          await api.events.$get({ query: { after: String(after), limit: String(limit) } }),
        )
      ).items,
  }
}

// pageQuery spells a page as query parameters (absent members stay absent)
const pageQuery = (page: Partial<OrderPage>) => ({
  ...(page.limit === undefined ? {} : { limit: String(page.limit) }),
  ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
})
