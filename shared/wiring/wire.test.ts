import { describe, expect, it } from 'bun:test'
import { resilience } from '../platform/config.ts'
import { planFor } from './plan.ts'
import { balanced, linkShares } from './wire.ts'

describe('balanced', () => {
  it('sends calls to a logical origin round-robin over the replicas, path and query kept', async () => {
    const seen: string[] = []
    const f = balanced(['http://127.0.0.1:1', 'http://127.0.0.1:2'], async (input) => {
      seen.push(String(input))
      return new Response('ok')
    })
    await f('http://catalog/internal/catalog/products/p-0001')
    await f('http://catalog/internal/catalog/search?q=a%20b&limit=2')
    await f('http://catalog')
    expect(seen).toEqual([
      'http://127.0.0.1:1/internal/catalog/products/p-0001',
      'http://127.0.0.1:2/internal/catalog/search?q=a%20b&limit=2',
      'http://127.0.0.1:1/',
    ])
  })
})

describe('linkShares', () => {
  const routed = planFor('by-domain').services.filter((s) => s.routes.length > 0)
  it('splits the socket budget evenly for a caller that calls every link at once', () => {
    const even = linkShares(routed)
    expect([...even.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(
      resilience.socketBudget,
    )
  })
  it('lets a link of a one-callee-per-request caller use up to half the budget', () => {
    const shares = linkShares(routed, 'each-request-calls-one')
    // by-domain routes to four groups: 15 sockets each when split evenly, 30 each here
    for (const [name, n] of shares) {
      expect({ name, n }).toEqual({ name, n: Math.floor(resilience.socketBudget / 2) })
      expect(n).toBeGreaterThan(linkShares(routed).get(name)!)
    }
  })
})
