import { expect } from 'bun:test'
import { join } from 'node:path'
import { freeBlock, type Started, startProcess } from '../shared/testing/process.ts'
import { endpointKey, endpointsNeeding, publicEndpoints } from '../shared/wiring/registry.ts'
import { shifted } from './config.ts'
import { replicaUrls, topology } from './topology.ts'

const entry = join(import.meta.dir, '..', 'twinstack.ts')

// freeBase finds a gateway port whose whole shifted topology is free on loopback (tests take
// 20000-26000, the bench the range above, both below the ports of outgoing connections)
export function freeBase(): number {
  return freeBlock(20_000, 26_000, (base) => [
    base,
    ...shifted(topology, base).services.flatMap((s) =>
      replicaUrls(s).map((u) => Number(u.split(':')[2])),
    ),
  ])
}

// startMicro runs `bun twinstack.ts micro` (supervisor + every service + gateway) on free ports,
// in demo mode with open operations routes unless `security` says otherwise
export async function startMicro(
  dataDir: string,
  args: string[] = [],
  security: string[] = ['--demo', '--open-ops'],
  env: Record<string, string> = {},
): Promise<Started> {
  const base = freeBase()
  return startProcess([process.execPath, entry, 'micro', '--quiet', ...security, ...args], {
    env: { TWINSTACK_DATA: dataDir, TWINSTACK_PORT_BASE: String(base), HOST: '127.0.0.1', ...env },
    url: `http://127.0.0.1:${base}`,
    waitMs: 60_000,
  })
}

type Probe = (url: string, user: { id: string; token: string }) => Promise<Response>
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

// PROBES are requests for endpoints the failure tests check while a group is down, keyed as the
// manifests name endpoints: a product page, a search, a loan application, a user's order list
export const PROBES: Record<string, Probe> = {
  'GET /api/products/{id}': (url) => fetch(`${url}/api/products/p-0001`),
  'GET /api/products': (url) => fetch(`${url}/api/products?q=kite&limit=5`),
  'POST /api/loans': (url, user) =>
    fetch(`${url}/api/loans`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer(user.token) },
      body: JSON.stringify({ amount: 4000, termMonths: 12, monthlyIncome: 5000, purpose: 'car' }),
    }),
  'GET /api/users/{id}/orders': (url, user) =>
    fetch(`${url}/api/users/${user.id}/orders`, { headers: bearer(user.token) }),
}

// expectOthersAnswer checks, while the given modules are down, that each probed endpoint the
// manifests say does not need them answers in full, and that each one that does fails
// explicitly (5xx) or degrades; which is which comes from endpointsNeeding, never a hand list
export async function expectOthersAnswer(
  url: string,
  down: string[],
  user: { id: string; token: string },
): Promise<void> {
  const known = new Set(publicEndpoints().map(endpointKey))
  expect(Object.keys(PROBES).filter((k) => !known.has(k))).toEqual([])
  const needing = new Set(endpointsNeeding(down))
  for (const [key, probe] of Object.entries(PROBES)) {
    const res = await probe(url, user)
    const body = (await res.json().catch(() => ({}))) as { degraded?: string[] }
    const answer = { key, status: res.status, degraded: body.degraded ?? [] }
    if (needing.has(key)) {
      expect({ key, failedOrDegraded: answer.status >= 500 || answer.degraded.length > 0 }).toEqual(
        { key, failedOrDegraded: true },
      )
    } else {
      expect(answer).toEqual({ key, status: key.startsWith('POST') ? 201 : 200, degraded: [] })
    }
  }
}
