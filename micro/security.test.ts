import { afterAll, beforeAll } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Started, startProcess } from '../shared/testing/process.ts'
import { SECURITY_ENV, securitySuite } from '../shared/testing/security-suite.ts'
import { freeBase } from './testing.ts'

// The security suite against the microservices started as an operator would: no --demo, no
// --open-ops, generated secrets, and the rate limiter's counters in Redis (TWINSTACK_REDIS).
// TWINSTACK_SECURITY_ROOT points it at another checkout (the code before issue 10).
const root = process.env.TWINSTACK_SECURITY_ROOT ?? join(import.meta.dir, '..')
const command = [process.execPath, join(root, 'twinstack.ts'), 'micro', '--quiet']
const freshEnv = (dir: string) => ({
  TWINSTACK_DATA: dir,
  TWINSTACK_PORT_BASE: String(freeBase()),
  HOST: '127.0.0.1',
})

let dataDir = ''
let micro: Started | undefined
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twinstack-security-micro-'))
  const env = {
    ...freshEnv(dataDir),
    ...SECURITY_ENV,
    TWINSTACK_REDIS: process.env.TWINSTACK_REDIS ?? 'redis://127.0.0.1:6379',
  }
  micro = await startProcess(command, {
    env,
    url: `http://127.0.0.1:${env.TWINSTACK_PORT_BASE}`,
    waitMs: 60_000,
  })
}, 70_000)
afterAll(async () => {
  await micro?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

securitySuite('micro', () => ({
  deployment: 'micro',
  url: micro!.url,
  dataDir,
  command,
  freshEnv,
}))
