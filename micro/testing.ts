import { join } from 'node:path'
import { portsFree, type Started, startProcess } from '../shared/testing/process.ts'
import { shifted } from './config.ts'
import { replicaUrls, topology } from './topology.ts'

const entry = join(import.meta.dir, '..', 'twinstack.ts')

// freeBase finds a gateway port whose whole shifted topology is free on loopback
export function freeBase(): number {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 2000) * 10
    const t = shifted(topology, base)
    const ports = [
      base,
      ...t.services.flatMap((s) => replicaUrls(s).map((u) => Number(u.split(':')[2]))),
    ]
    if (portsFree(ports)) return base
  }
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
