import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median } from './stats.ts'

// HopFloor is what one bare hop costs on this stack: Bun's fetch to a Bun.serve answering a
// small JSON body, client and server in one process, no framework on either side. No hop of
// ours can cost less, so it bounds what the microservices can reach
export interface HopFloor {
  calls: number
  // CPU (client + server) per round trip, µs, with `concurrency` calls in flight
  cpuUs: number | null
  // one call at a time on an idle loop: median wall time of a round trip, ms
  latencyMs: number | null
  concurrency: number
  // how the round trips went: over a unix domain socket (as the microservices' hops between
  // processes on Bun), or loopback TCP; an old result without it was TCP
  transport?: 'unix' | 'tcp'
  // the same round trips over loopback TCP, beside the unix socket's
  tcp?: { cpuUs: number | null; latencyMs: number | null }
}

// the body of a small internal answer (a price), as the services send it
const BODY = JSON.stringify({ productId: 'p-0001', price: { amount: 367.99, currency: 'EUR' } })

// hopFloor times bare fetch → Bun.serve round trips: CPU per call under a closed loop of
// `concurrency` calls, then the unloaded latency of calls made one at a time
export async function hopFloor(
  calls = 20_000,
  concurrency = 16,
  transport: 'unix' | 'tcp' = 'unix',
): Promise<HopFloor> {
  const dir = transport === 'unix' ? mkdtempSync(join(tmpdir(), 'twinstack-hop-')) : null
  const answer = () => new Response(BODY, { headers: { 'Content-Type': 'application/json' } })
  const unix = dir ? join(dir, 'hop.sock') : undefined
  const server = unix
    ? Bun.serve({ unix, fetch: answer })
    : Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: answer })
  // over the socket the URL names no port: the connection is the socket's
  const origin = unix ? 'http://localhost' : `http://127.0.0.1:${server.port}`
  const url = `${origin}/internal/pricing/prices/p-0001`
  const init = unix ? { unix } : undefined
  const once = async () => {
    const res = await fetch(url, init)
    await res.json()
  }
  const loop = async (n: number) => {
    let left = n
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await once()
      }),
    )
  }
  try {
    await loop(Math.min(2000, calls))
    const t0 = process.cpuUsage()
    await loop(calls)
    const t = process.cpuUsage(t0)
    const walls: number[] = []
    for (let i = 0; i < 500; i++) {
      const w0 = performance.now()
      await once()
      walls.push(performance.now() - w0)
    }
    return {
      calls,
      cpuUs: (t.user + t.system) / calls,
      latencyMs: median(walls),
      concurrency,
      transport,
    }
  } finally {
    server.stop(true)
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
}

// productPageCeiling is the best micro ÷ monolith throughput a product page could reach if
// every one of its hops cost only the bare floor: the monolith's CPU per page over that plus
// the hops (CPU-bound on the same cores, throughput goes as 1 / CPU per request)
export function productPageCeiling(
  monolithCpuUs: number | null | undefined,
  hops: number,
  floorCpuUs: number | null | undefined,
): number | null {
  if (!monolithCpuUs || !floorCpuUs || hops <= 0) return null
  return monolithCpuUs / (monolithCpuUs + hops * floorCpuUs)
}
