import { describe, expect, it } from 'bun:test'
import { validationReasons } from '../shared/domain/loan.ts'
import { type Actors, productId, searchTermsFrom, seeded, templates } from './workload.ts'

const stock = Array.from({ length: 1001 }, (_, n) =>
  n === 0 || n % 50 === 0 ? 0 : n === 7 ? 5000 : 10,
)
const actors: Actors = {
  users: [
    { token: 'u1', userId: 'u-0001' },
    { token: 'u2', userId: 'u-0002' },
  ],
  admin: 'admin',
  orderIds: ['o-1', 'o-2'],
  searchTerms: ['nordic', 'smart'],
  stock,
}

describe('templates', () => {
  it('are the same sequence for the same seed (both deployments get the same requests)', () => {
    expect(templates('product', actors, 50, 3)).toEqual(templates('product', actors, 50, 3))
    expect(templates('product', actors, 50, 3)).not.toEqual(templates('product', actors, 50, 4))
  })
  it('buy only products in stock, in proportion to their stock', () => {
    const reqs = templates('checkout', actors, 2000)
    const ids = reqs.map((r) => JSON.parse(r.body!).items[0].productId as string)
    expect(ids.every((id) => Number(id.slice(2)) % 50 !== 0)).toBe(true)
    // product 7 holds 5000 of 14,790 units: about a third of the checkouts
    const share = ids.filter((id) => id === productId(7)).length / ids.length
    expect(share).toBeGreaterThan(0.29)
    expect(share).toBeLessThan(0.39)
    expect(reqs[0]!.headers!.Authorization).toMatch(/^Bearer u[12]$/)
  })
  it('send loan applications the validation link accepts', () => {
    for (const r of templates('loan', actors, 200)) {
      expect(validationReasons(JSON.parse(r.body!))).toEqual([])
    }
  })
  it('read orders and reports as the admin', () => {
    const events = templates('order-events', actors, 10)
    expect(events.every((r) => /^\/api\/orders\/o-[12]\/events$/.test(r.path))).toBe(true)
    expect(templates('sales-report', actors, 1)[0]).toEqual({
      method: 'GET',
      path: '/api/reports/sales',
      headers: { Authorization: 'Bearer admin' },
    })
    expect(templates('search', actors, 5).every((r) => r.path.startsWith('/api/products?q='))).toBe(
      true,
    )
  })
})

describe('seeded and searchTermsFrom', () => {
  it('generates numbers in [0, 1)', () => {
    const rnd = seeded(1)
    const xs = Array.from({ length: 1000 }, rnd)
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...xs)).toBeLessThan(1)
  })
  it('takes distinct words of four letters or more', () => {
    expect(searchTermsFrom(['Nordic Headphones 2', 'Smart Yo-yo 5', 'nordic lamp'])).toEqual([
      'nordic',
      'headphones',
      'smart',
      'lamp',
    ])
  })
})
