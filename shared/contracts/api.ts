import { z } from 'zod'
import { SearchQuery } from './catalog.ts'
import { CheckoutInput, CheckoutResultSchema, SagaSummarySchema } from './checkout.ts'
import { LoanApplicationInput, LoanSchema } from './loans.ts'
import { NotificationPageSchema, NotificationsQuery } from './notifications.ts'
import { OrderEventSchema, OrderPageQuery, OrderSchema, UserOrdersSchema } from './orders.ts'
import { SalesQuery, SalesReportSchema, TopProductsSchema } from './reporting.ts'
import { NewReviewInput, ReviewSchema } from './reviews.ts'
import { ProductListSchema, ProductPageSchema } from './storefront.ts'
import { LoginInput, RegisterInput, SessionSchema, UserSchema } from './users.ts'

// Endpoint describes one public route of api.md, for the OpenAPI document and the API suite;
// each module's manifest lists its own (the wiring gathers them: publicEndpoints)
export interface Endpoint {
  method: 'get' | 'post'
  path: string
  summary: string
  tag: string
  auth: 'none' | 'user' | 'admin'
  status: number
  body?: z.ZodType
  query?: z.ZodType
  response?: z.ZodType
  headers?: Record<string, string>
}

const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) })
const order = OrderSchema

// usersApi is the public API the users module serves (api.md)
export const usersApi: Endpoint[] = [
  {
    method: 'post',
    path: '/api/auth/register',
    summary: 'Register a customer',
    tag: 'users',
    auth: 'none',
    status: 201,
    body: RegisterInput,
    response: UserSchema,
  },
  {
    method: 'post',
    path: '/api/auth/login',
    summary: 'Log in and get a token',
    tag: 'users',
    auth: 'none',
    status: 200,
    body: LoginInput,
    response: SessionSchema,
  },
]

// storefrontApi is the public API the storefront module serves (api.md)
export const storefrontApi: Endpoint[] = [
  {
    method: 'get',
    path: '/api/products',
    summary: 'Search products (with prices)',
    tag: 'storefront',
    auth: 'none',
    status: 200,
    query: SearchQuery,
    response: ProductListSchema,
  },
  {
    method: 'get',
    path: '/api/products/{id}',
    summary: 'Product page (aggregator over catalog, pricing, reviews, inventory)',
    tag: 'storefront',
    auth: 'none',
    status: 200,
    response: ProductPageSchema,
  },
]

// reviewsApi is the public API the reviews module serves (api.md)
export const reviewsApi: Endpoint[] = [
  {
    method: 'get',
    path: '/api/products/{id}/reviews',
    summary: 'Reviews of a product',
    tag: 'reviews',
    auth: 'none',
    status: 200,
    response: items(ReviewSchema.omit({ productId: true })),
  },
  {
    method: 'post',
    path: '/api/products/{id}/reviews',
    summary: 'Review a product',
    tag: 'reviews',
    auth: 'user',
    status: 201,
    body: NewReviewInput,
    response: ReviewSchema,
  },
]

// checkoutApi is the public API the checkout module serves (api.md)
export const checkoutApi: Endpoint[] = [
  {
    method: 'post',
    path: '/api/checkout',
    summary: 'Check out a basket (branch: stock, payment, shipping in parallel)',
    tag: 'checkout',
    auth: 'user',
    status: 201,
    body: CheckoutInput,
    response: CheckoutResultSchema,
    headers: {
      'Idempotency-Key':
        'repeat a request safely: the same key answers the same sale (409 + Retry-After while ' +
        'it runs, 422 with a different body); after a 503/504 retry with it',
    },
  },
  {
    method: 'get',
    path: '/api/checkout/sagas',
    summary: 'Checkouts per saga state, how many are in flight, stock units held (admin)',
    tag: 'checkout',
    auth: 'admin',
    status: 200,
    response: SagaSummarySchema,
  },
  {
    method: 'post',
    path: '/api/orders/{id}/cancel',
    summary: 'Cancel an order (owner): stock back, payment refunded; 409 once shipped',
    tag: 'orders',
    auth: 'user',
    status: 200,
    response: order,
  },
]

// ordersApi is the public API the orders module serves (api.md)
export const ordersApi: Endpoint[] = [
  {
    method: 'get',
    path: '/api/orders/{id}',
    summary: 'An order, folded from its events',
    tag: 'orders',
    auth: 'user',
    status: 200,
    response: order,
  },
  {
    method: 'get',
    path: '/api/orders/{id}/events',
    summary: 'The events of an order',
    tag: 'orders',
    auth: 'user',
    status: 200,
    response: items(OrderEventSchema),
  },
  {
    method: 'post',
    path: '/api/orders/{id}/ship',
    summary: 'Ship an order (admin)',
    tag: 'orders',
    auth: 'admin',
    status: 200,
    response: order,
  },
  {
    method: 'get',
    path: '/api/users/{id}/orders',
    summary: 'A user with a page of their orders, newest first (shared data; ?limit=&cursor=)',
    tag: 'orders',
    auth: 'user',
    status: 200,
    query: OrderPageQuery,
    response: UserOrdersSchema,
  },
]

// notificationsApi is the public API the notifications module serves (api.md)
export const notificationsApi: Endpoint[] = [
  {
    method: 'get',
    path: '/api/notifications',
    summary: 'Notifications sent to me, newest first, a page at a time (cursor)',
    tag: 'notifications',
    auth: 'user',
    status: 200,
    query: NotificationsQuery,
    response: NotificationPageSchema,
  },
]

// reportingApi is the public API the reporting module serves (api.md)
export const reportingApi: Endpoint[] = [
  {
    method: 'get',
    path: '/api/reports/sales',
    summary: 'Sales report (CQRS read model)',
    tag: 'reporting',
    auth: 'admin',
    status: 200,
    query: SalesQuery,
    response: SalesReportSchema,
  },
  {
    method: 'get',
    path: '/api/reports/top-products',
    summary: 'Best-selling products (CQRS read model)',
    tag: 'reporting',
    auth: 'admin',
    status: 200,
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }),
    response: TopProductsSchema,
  },
  {
    method: 'post',
    path: '/api/reports/rebuild',
    summary: 'Rebuild the read model by replaying the event store',
    tag: 'reporting',
    auth: 'admin',
    status: 200,
  },
]

// loansApi is the public API the loan-validation module serves (api.md)
export const loansApi: Endpoint[] = [
  {
    method: 'post',
    path: '/api/loans',
    summary: 'Apply for a loan (chain: validation, credit check, approval)',
    tag: 'loans',
    auth: 'user',
    status: 201,
    body: LoanApplicationInput,
    response: LoanSchema,
  },
  {
    method: 'get',
    path: '/api/loans/{id}',
    summary: 'A loan application and its decision',
    tag: 'loans',
    auth: 'user',
    status: 200,
    response: LoanSchema,
  },
]
