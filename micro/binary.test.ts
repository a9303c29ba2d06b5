import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type Started, startProcess } from '../shared/testing/process.ts'
import { freeBase } from './testing.ts'

// The single executable: one file runs every role, migrations and docs assets included
const dir = mkdtempSync(join(tmpdir(), 'twinstack-binary-'))
const binary = join(dir, 'twinstack')
const running: Started[] = []

beforeAll(async () => {
  const built = Bun.spawnSync(
    [
      process.execPath,
      'build',
      '--compile',
      join(import.meta.dir, '..', 'twinstack.ts'),
      '--outfile',
      binary,
    ],
    { stdout: 'pipe', stderr: 'pipe' },
  )
  if (built.exitCode !== 0) throw new Error(built.stderr.toString())
}, 60_000)
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()))
  rmSync(dir, { recursive: true, force: true })
})

describe('Single binary', () => {
  it('is one executable file', () => {
    expect(statSync(binary).mode & 0o111).toBeGreaterThan(0)
  })

  it('runs the monolith from a fresh data directory, docs assets included', async () => {
    const port = freePort()
    const p = await startProcess([binary, 'monolith-process', '--demo', '--open-ops'], {
      env: { TWINSTACK_DATA: join(dir, 'mono'), PORT: String(port) },
      url: `http://127.0.0.1:${port}`,
    })
    running.push(p)
    const page = (await (await fetch(`${p.url}/api/products/p-0001`)).json()) as any
    expect(page).toMatchObject({ id: 'p-0001', degraded: [] })
    const js = await fetch(`${p.url}/docs/swagger-ui-bundle.js`)
    expect(js.status).toBe(200)
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000)
  })

  it('runs the whole micro topology, spawning its services from itself', async () => {
    const base = freeBase()
    const p = await startProcess([binary, 'micro', '--quiet', '--demo', '--open-ops'], {
      env: { TWINSTACK_DATA: join(dir, 'micro'), TWINSTACK_PORT_BASE: String(base) },
      url: `http://127.0.0.1:${base}`,
      waitMs: 60_000,
    })
    running.push(p)
    const status = (await (await fetch(`${p.url}/_/status`)).json()) as any
    expect(status.services.every((s: any) => s.healthy)).toBe(true)
    const page = (await (await fetch(`${p.url}/api/products/p-0001`)).json()) as any
    expect(page).toMatchObject({ id: 'p-0001', degraded: [] })
  }, 90_000)
})
