import { describe, expect, it } from 'bun:test'
import { balanced } from './wire.ts'

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
