import { describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resilience } from '../platform/config.ts'
import { serve } from '../platform/http/serve.ts'
import { freePort } from '../testing/process.ts'
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

describe('balanced over unix sockets', () => {
  it('reaches a replica with a socket through it, the URL (and Host) unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinstack-uds-'))
    const path = join(dir, 'sockets', 'catalog-0.sock')
    // the replica's TCP port is closed: only its socket can answer
    const closed = `http://127.0.0.1:${freePort()}`
    const server = await serve({
      hostname: '127.0.0.1',
      port: 0,
      unix: path,
      fetch: (req) => Response.json({ url: req.url, host: req.headers.get('host') }),
    })
    try {
      expect(existsSync(path)).toBe(true)
      const f = balanced([closed], fetch, [path])
      const res = await f('http://catalog/internal/catalog/products/p-0001')
      const body = (await res.json()) as { url: string; host: string }
      expect(body.url).toBe(`${closed}/internal/catalog/products/p-0001`)
      expect(body.host).toBe(closed.slice('http://'.length))
      // a replica without a socket is called over TCP (here: refused)
      await expect(balanced([closed], fetch, [undefined])('http://catalog/')).rejects.toThrow()
    } finally {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    }
    // stopping removes the socket file
    expect(existsSync(path)).toBe(false)
  })

  it('gives the socket up again when the port cannot be had', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinstack-uds-'))
    const path = join(dir, 'pricing-0.sock')
    const taken = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('x') })
    try {
      await expect(
        serve({
          hostname: '127.0.0.1',
          port: taken.port!,
          unix: path,
          fetch: () => new Response(),
        }),
      ).rejects.toThrow()
      expect(existsSync(path)).toBe(false)
    } finally {
      taken.stop(true)
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('takes over a socket file a killed replica left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinstack-uds-'))
    const path = join(dir, 'storefront-1.sock')
    // a listener that exits without cleaning up, as a SIGKILLed process would leave it
    const stale = Bun.serve({ unix: path, fetch: () => new Response('old') })
    stale.stop(true)
    await Bun.write(path, '')
    const server = await serve({
      hostname: '127.0.0.1',
      port: 0,
      unix: path,
      fetch: () => new Response('new'),
    })
    try {
      const res = await fetch('http://storefront/', { unix: path })
      expect(await res.text()).toBe('new')
    } finally {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    }
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
