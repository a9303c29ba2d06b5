import { ADMIN, CARD, call, login, loginMany } from './api.ts'
import { type Actors, productId, searchTermsFrom, stockLeft } from './workload.ts'

// Reference is what the seed data looks like (the same on every fresh deployment)
export interface Reference {
  stock: number[]
  searchTerms: string[]
}

let cached: Reference | null = null

// referenceData reads stock and product names once per bench run from a fresh deployment
export async function referenceData(base: string): Promise<Reference> {
  if (cached) return cached
  const page = await call(base, 'GET', '/api/products?limit=100')
  const names = ((page.body?.items ?? []) as { name: string }[]).map((p) => p.name)
  cached = { stock: await stockLeft(base), searchTerms: searchTermsFrom(names) }
  return cached
}

// prepareActors logs in the admin and `users` demo users and places `orders` orders, so the
// order-events endpoint has orders to read
export async function prepareActors(
  base: string,
  ref: Reference,
  opts: { users: number; orders: number },
): Promise<Actors> {
  const admin = (await login(base, ADMIN)).token
  const users = await loginMany(base, opts.users)
  const orderIds: string[] = []
  for (let i = 0; i < opts.orders; i++) {
    // the best-stocked products, so setup never competes with the measured checkouts
    const n = 1 + ((i * 37) % 1000)
    if ((ref.stock[n] ?? 0) < 50) continue
    const r = await call(base, 'POST', '/api/checkout', {
      token: users[i % users.length]!.token,
      body: { items: [{ productId: productId(n), quantity: 1 }], card: CARD },
    })
    if (r.status === 201) orderIds.push(r.body.orderId)
  }
  if (opts.orders > 0 && orderIds.length === 0)
    throw new Error(`no order could be placed on ${base}`)
  return { admin, users, orderIds, searchTerms: ref.searchTerms, stock: ref.stock }
}
