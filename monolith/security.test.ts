import { afterAll, beforeAll } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type Started, startProcess } from '../shared/testing/process.ts'
import { SECURITY_ENV, securitySuite } from '../shared/testing/security-suite.ts'

// The security suite against a monolith started as an operator would: no --demo, no
// --open-ops, generated secrets, the in-memory rate limiter. TWINSTACK_SECURITY_ROOT points it
// at another checkout (to see the findings fail on the code before issue 10).
const root = process.env.TWINSTACK_SECURITY_ROOT ?? join(import.meta.dir, '..')
const command = [process.execPath, join(root, 'monolith', 'main.ts')]
const freshEnv = (dir: string) => ({
  TWINSTACK_DATA: dir,
  PORT: String(freePort()),
  HOST: '127.0.0.1',
})

let dataDir = ''
let monolith: Started | undefined
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twinstack-security-mono-'))
  const env = { ...freshEnv(dataDir), ...SECURITY_ENV }
  monolith = await startProcess(command, { env, url: `http://127.0.0.1:${env.PORT}` })
})
afterAll(async () => {
  await monolith?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

securitySuite('monolith', () => ({
  deployment: 'monolith',
  url: monolith!.url,
  dataDir,
  command,
  freshEnv,
}))
