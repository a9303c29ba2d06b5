import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type Started, startProcess } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'

// Two monolith processes sharing one port (SO_REUSEPORT) keep one rate limit when their
// counters live in Redis (TWINSTACK_REDIS): a client cannot double its budget by landing on
// the other process
const LIMIT = 20
let dir = ''
let port = 0
const procs: Started[] = []

// get sends one request on a connection of its own (so the kernel may pick either process)
const get = (path: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve) => {
    let out = ''
    const s = connect({ host: '127.0.0.1', port }, () =>
      s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    )
    s.setEncoding('utf8')
    s.on('data', (d) => {
      out += d
    })
    s.on('close', () => {
      const [head = '', body = ''] = out.split('\r\n\r\n', 2)
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), body })
    })
    s.on('error', () => {})
  })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinstack-shared-limit-'))
  port = freePort()
  const env = {
    TWINSTACK_DATA: dir,
    PORT: String(port),
    HOST: '127.0.0.1',
    TWINSTACK_REUSE_PORT: '1',
    TWINSTACK_REDIS: process.env.TWINSTACK_REDIS ?? 'redis://127.0.0.1:6379',
    TWINSTACK_RATE_LIMIT: String(LIMIT),
    TWINSTACK_RATE_WINDOW_MS: '120000',
    // one secret for both, and a fresh one per run: the counters' prefix derives from it
    JWT_SECRET: randomBytes(32).toString('hex'),
  }
  const command = [process.execPath, join(import.meta.dir, 'main.ts'), '--open-ops']
  for (let i = 0; i < 2; i++) {
    procs.push(await startProcess(command, { env, url: `http://127.0.0.1:${port}` }))
  }
}, 60_000)
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()))
  rmSync(dir, { recursive: true, force: true })
})

describe('Rate limit across processes (Redis)', () => {
  it('keeps one budget for a client whichever process answers', async () => {
    // both processes answer on the port (the second may take a moment to listen)
    const pids = new Set<number>()
    await eventually(async () => {
      const r = await get('/_/status')
      if (r.status === 200) pids.add(JSON.parse(r.body).services[0].pid)
      expect(pids.size).toBe(2)
    }, 20_000)
    // the probes above counted too: what is left of the budget is shared
    const statuses = await Promise.all(
      Array.from({ length: 2 * LIMIT }, () => get('/api/products?limit=1')),
    )
    const ok = statuses.filter((s) => s.status === 200).length
    expect(ok).toBeLessThanOrEqual(LIMIT)
    expect(statuses.filter((s) => s.status === 429).length).toBe(2 * LIMIT - ok)
  }, 40_000)
})
