import { CARD } from './api.ts'
import type { RequestTemplate } from './loadgen.ts'
import type { EndpointId } from './plan.ts'

// Actors are who sends the requests on one deployment: demo users (tokens in the same order on
// both deployments), the admin, and orders placed during setup
export interface Actors {
  users: { token: string; userId: string }[]
  admin: string
  orderIds: string[]
  searchTerms: string[]
  // units in stock per product number (index 1..1000); checkouts pick products in proportion,
  // so a long run drains every product by the same small share instead of emptying a few
  stock: number[]
}

// seeded is a small deterministic generator, so both deployments get the same request sequence
export function seeded(seed: number) {
  let s = seed >>> 0 || 1
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

// productId is the seed data's id of product number n (1..1000)
export const productId = (n: number) => `p-${String(n).padStart(4, '0')}`
const PURPOSES = ['home', 'car', 'education', 'renovation', 'business', 'travel', 'other']

// templates builds `count` requests for one endpoint, the same sequence for the same seed
export function templates(
  endpoint: EndpointId,
  a: Actors,
  count = 256,
  seed = 42,
): RequestTemplate[] {
  const rnd = seeded(seed)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })
  const post = (token: string, body: unknown): Pick<RequestTemplate, 'headers' | 'body'> => ({
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const cumulative: number[] = []
  let units = 0
  for (let n = 0; n < a.stock.length; n++) {
    units += Math.max(0, a.stock[n] ?? 0)
    cumulative.push(units)
  }
  const byStock = () => {
    const x = rnd() * units
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid]! > x) hi = mid
      else lo = mid + 1
    }
    return lo
  }
  const out: RequestTemplate[] = []
  for (let i = 0; i < count; i++) {
    switch (endpoint) {
      case 'product':
        out.push({
          method: 'GET',
          path: `/api/products/${productId(1 + Math.floor(rnd() * 1000))}`,
        })
        break
      case 'search':
        out.push({
          method: 'GET',
          path: `/api/products?q=${encodeURIComponent(pick(a.searchTerms))}&limit=20`,
        })
        break
      case 'checkout': {
        const n = byStock()
        out.push({
          method: 'POST',
          path: '/api/checkout',
          ...post(pick(a.users).token, {
            items: [{ productId: productId(n), quantity: 1 }],
            card: CARD,
          }),
        })
        break
      }
      case 'loan':
        out.push({
          method: 'POST',
          path: '/api/loans',
          ...post(pick(a.users).token, {
            amount: 1000 + Math.floor(rnd() * 60) * 500,
            termMonths: pick([12, 24, 36, 60, 120]),
            monthlyIncome: 2000 + Math.floor(rnd() * 70) * 100,
            purpose: pick(PURPOSES),
          }),
        })
        break
      case 'order-events':
        out.push({
          method: 'GET',
          path: `/api/orders/${pick(a.orderIds)}/events`,
          headers: bearer(a.admin),
        })
        break
      case 'sales-report':
        out.push({ method: 'GET', path: '/api/reports/sales', headers: bearer(a.admin) })
        break
    }
  }
  return out
}

// stockLeft reads units in stock per product number from the product pages
export async function stockLeft(base: string, products = 1000): Promise<number[]> {
  const stock = Array(products + 1).fill(0) as number[]
  for (let n = 1; n <= products; n += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, products - n + 1) }, async (_, k) => {
        const res = await fetch(`${base}/api/products/${productId(n + k)}`)
        const body = (await res.json()) as { stock?: { available?: number } | null }
        stock[n + k] = body.stock?.available ?? 0
      }),
    )
  }
  return stock
}

// searchTermsFrom takes distinct words of product names as search terms
export function searchTermsFrom(names: readonly string[], max = 24): string[] {
  const words = new Set<string>()
  for (const name of names) {
    for (const w of name.toLowerCase().split(/[^a-z]+/)) if (w.length >= 4) words.add(w)
  }
  return [...words].slice(0, max)
}
