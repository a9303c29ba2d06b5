import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { alive, freePort } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'
import { type Running, startMonolith, startTarget } from './deploy.ts'
import { processTree } from './procfs.ts'

// The references of scenario 1's product page cell read the monolith's own file: the plain
// route and the bare split must answer the very page the monolith does, or their ratios compare
// different work
let dir = ''
let monolith: Running | undefined
let reference: Running | undefined
let split: Running | undefined
let splitTree: number[] = []
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinstack-targets-'))
  monolith = await startMonolith({ dataDir: dir, port: freePort(), reset: true })
  const db = { DB_PATH: join(dir, 'monolith.db') }
  ;[reference, split] = await Promise.all([
    startTarget('product-page', freePort(), db),
    startTarget('bare-split', freePort(), db),
  ])
  splitTree = processTree(split.proc.pid)
}, 60_000)
afterAll(async () => {
  await Promise.all([monolith?.stop(), reference?.stop(), split?.stop()])
  for (const pid of splitTree) if (alive(pid)) process.kill(pid, 'SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

const page = async (r: Running | undefined, id: string) => {
  const res = await fetch(`${r!.url}/api/products/${id}`)
  return { status: res.status, body: res.status === 200 ? await res.text() : null }
}

describe('the product page references', () => {
  it('run the bare split as six processes: a proxy, an aggregator and four modules', () => {
    expect(splitTree).toHaveLength(6)
  })

  it('answer the same page as the monolith, byte for byte, and 404 for an unknown product', async () => {
    for (const id of ['p-0001', 'p-0097', 'p-0500', 'p-1000']) {
      const [m, r, s] = await Promise.all([
        page(monolith, id),
        page(reference, id),
        page(split, id),
      ])
      expect(m.status).toBe(200)
      expect(JSON.parse(m.body!).id).toBe(id)
      expect(r).toEqual(m)
      expect(s).toEqual(m)
    }
    expect((await page(reference, 'p-9999')).status).toBe(404)
    expect((await page(split, 'p-9999')).status).toBe(404)
  })

  it('leave no process of the bare split behind when it is stopped', async () => {
    await split!.stop()
    await eventually(async () => expect(splitTree.filter((pid) => alive(pid))).toEqual([]))
  })
})
