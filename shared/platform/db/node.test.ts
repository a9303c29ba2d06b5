import { afterAll, describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The same platform code under Node, where the driver is better-sqlite3 (bun:sqlite is Bun's)
const root = join(import.meta.dir, '..', '..', '..')
const work = join(root, 'node_modules', '.cache', 'twinstack-node-test')
const dataDir = mkdtempSync(join(tmpdir(), 'twinstack-node-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('openDatabase under Node', () => {
  it('migrates and writes through better-sqlite3 with the same code', async () => {
    mkdirSync(work, { recursive: true })
    const built = await Bun.build({
      entrypoints: [
        join(import.meta.dir, 'index.ts'),
        join(root, 'shared', 'platform', 'bus', 'outbox.ts'),
        join(root, 'shared', 'platform', 'bus', 'index.ts'),
      ],
      target: 'node',
      outdir: work,
      external: ['better-sqlite3', 'drizzle-orm', 'bun:sqlite'],
    })
    expect(built.success).toBe(true)
    const script = join(work, 'run.mjs')
    writeFileSync(
      script,
      `import { openDatabase, migrate, write } from './db/index.js'
import { sqliteOutbox, unsent } from './bus/outbox.js'
import { busMigrations } from './bus/index.js'
const d = await openDatabase(process.argv[2])
migrate(d.db, busMigrations)
write(d.db, (tx) => sqliteOutbox('node').add(tx, 't', 'FromNode', { ok: true }))
console.log(JSON.stringify({ runtime: typeof Bun, rows: unsent(d.db, 10).map((e) => e.type) }))
d.close()
`,
    )
    const proc = Bun.spawnSync(['node', script, join(dataDir, 'node.db')], { cwd: work })
    const out = proc.stdout.toString()
    expect(proc.stderr.toString()).not.toContain('Error')
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      runtime: 'undefined',
      rows: ['FromNode'],
    })
  })
})

describe('sqliteQueue under Node', () => {
  it('publishes, claims, delivers once and acknowledges through better-sqlite3', async () => {
    mkdirSync(work, { recursive: true })
    const built = await Bun.build({
      entrypoints: [join(root, 'shared', 'platform', 'bus', 'sqlite-queue.ts')],
      target: 'node',
      outdir: join(work, 'queue'),
      external: ['better-sqlite3', 'drizzle-orm', 'bun:sqlite', 'cockatiel'],
    })
    expect(built.success).toBe(true)
    const script = join(work, 'queue', 'run.mjs')
    writeFileSync(
      script,
      `import { sqliteQueue } from './sqlite-queue.js'
const q = sqliteQueue(process.argv[2], { groups: { t: ['g'] }, pollMs: 10 })
const event = (id) => ({ id, topic: 't', type: 'E', occurredAt: '', source: 'node', traceId: '', data: { id } })
// the second publish of e1 is a repeat and is stored once
await q.publish([event('e1'), event('e2')])
await q.publish([event('e1')])
const seen = []
await new Promise((resolve) => {
  q.subscribe({ topic: 't', group: 'g', handle: (e) => { seen.push(e.id); if (seen.length === 2) resolve() } })
})
// acknowledged: nothing pending once the loop has settled the last delivery; wait for that
// (the queue's own poll interval between looks), up to 15 s, before the 20 s kill
let pending = q.stats().find((s) => s.topic === 't').pending
const giveUp = Date.now() + 15_000
while (pending !== 0 && Date.now() < giveUp) {
  await new Promise((r) => setTimeout(r, 10))
  pending = q.stats().find((s) => s.topic === 't').pending
}
await q.close()
console.log(JSON.stringify({ runtime: typeof Bun, seen, pending }))
`,
    )
    // a queue that never delivers would wait forever: killed after 20 s
    const proc = Bun.spawnSync(['node', script, join(dataDir, 'queue.db')], {
      cwd: work,
      timeout: 20_000,
    })
    expect(proc.stderr.toString()).toBe('')
    expect(JSON.parse(proc.stdout.toString().trim().split('\n').at(-1)!)).toEqual({
      runtime: 'undefined',
      seen: ['e1', 'e2'],
      pending: 0,
    })
  }, 30_000)
})
