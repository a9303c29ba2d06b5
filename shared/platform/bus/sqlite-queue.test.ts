import { Database } from 'bun:sqlite'
import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IntegrationEvent } from '../../contracts/events.ts'
import { eventually } from '../../testing/wait.ts'
import { sqliteQueue } from './sqlite-queue.ts'
import type { Transport } from './transport.ts'

const event = (id: string, topic = 'payments'): IntegrationEvent => ({
  id,
  topic,
  type: 'PaymentCaptured',
  occurredAt: new Date().toISOString(),
  source: 'test',
  traceId: 't',
  data: { n: id },
})

let dir = ''
const open: Transport[] = []
const queue = (opts: Parameters<typeof sqliteQueue>[1] = {}) => {
  dir ||= mkdtempSync(join(tmpdir(), 'twinstack-queue-'))
  const q = sqliteQueue(join(dir, 'queue.db'), { pollMs: 5, ...opts })
  open.push(q)
  return q
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((q) => q.close()))
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = ''
})

describe('sqliteQueue', () => {
  it('keeps messages for a known group while its consumer is away, then delivers them', async () => {
    const producer = queue({ groups: { payments: ['notifications'] } })
    await producer.publish([event('a'), event('b')])
    expect(producer.stats()).toEqual([
      { topic: 'payments', pending: 2, deadLettered: 0, oldestPendingMs: expect.any(Number) },
    ])
    const got: string[] = []
    queue().subscribe({
      topic: 'payments',
      group: 'notifications',
      handle: (e) => void got.push(e.id),
    })
    await eventually(async () => expect(got).toEqual(['a', 'b']))
    await eventually(async () => expect(producer.stats()[0]?.pending).toBe(0))
  })

  it('gives each group its own copy and stores a re-published event once', async () => {
    const q = queue({ groups: { payments: ['one', 'two'] } })
    await q.publish([event('a')])
    await q.publish([event('a')])
    const one: string[] = []
    const two: string[] = []
    q.subscribe({ topic: 'payments', group: 'one', handle: (e) => void one.push(e.id) })
    q.subscribe({ topic: 'payments', group: 'two', handle: (e) => void two.push(e.id) })
    await eventually(async () => {
      expect(one).toEqual(['a'])
      expect(two).toEqual(['a'])
    })
  })

  it('redelivers a message whose consumer stopped answering once its lease runs out', async () => {
    const q = queue({ groups: { payments: ['g'] }, leaseMs: 100 })
    await q.publish([event('a')])
    let release = () => {}
    const hung = new Promise<void>((r) => {
      release = r
    })
    const first: string[] = []
    q.subscribe({
      topic: 'payments',
      group: 'g',
      handle: async (e) => {
        first.push(e.id)
        await hung
      },
    })
    await eventually(async () => expect(first).toEqual(['a']))
    const second: string[] = []
    queue({ leaseMs: 100 }).subscribe({
      topic: 'payments',
      group: 'g',
      handle: (e) => void second.push(e.id),
    })
    await eventually(async () => expect(second).toEqual(['a']))
    release()
  })

  it('retries a failing handler and dead-letters after the last attempt', async () => {
    const q = queue({ groups: { payments: ['g'] }, retry: { maxAttempts: 3, baseDelayMs: 1 } })
    await q.publish([event('bad')])
    let calls = 0
    q.subscribe({
      topic: 'payments',
      group: 'g',
      handle: () => {
        calls++
        throw new Error('nope')
      },
    })
    await eventually(async () =>
      expect(q.stats()).toEqual([
        { topic: 'payments', pending: 0, deadLettered: 1, oldestPendingMs: null },
      ]),
    )
    expect(calls).toBe(3)
  })
})

describe('sqliteQueue under failure', () => {
  const gate = () => {
    let open = () => {}
    const opened = new Promise<void>((r) => {
      open = r
    })
    return { open, opened }
  }

  it('ignores the ack of a consumer whose lease ran out and went to another', async () => {
    const logs: string[] = []
    const first = queue({ groups: { payments: ['g'] }, leaseMs: 100, log: (m) => logs.push(m) })
    await first.publish([event('a')])
    const slow = gate()
    const handled: string[] = []
    first.subscribe({
      topic: 'payments',
      group: 'g',
      handle: async (e) => {
        handled.push(`first:${e.id}`)
        await slow.opened
      },
    })
    const second = queue({ leaseMs: 60_000 })
    const held = gate()
    second.subscribe({
      topic: 'payments',
      group: 'g',
      handle: async (e) => {
        handled.push(`second:${e.id}`)
        await held.opened
      },
    })
    await eventually(async () => expect(handled).toEqual(['first:a', 'second:a']))
    // the first consumer finishes late: its ack must not take the message from the second
    slow.open()
    await eventually(async () => expect(logs.join('\n')).toContain('lost the lease on a'))
    expect(first.stats()[0]?.pending).toBe(1)
    held.open()
    await eventually(async () => expect(first.stats()[0]?.pending).toBe(0))
  })

  it('dead-letters a message that kills its consumer, after N deliveries, and delivers the rest', async () => {
    dir ||= mkdtempSync(join(tmpdir(), 'twinstack-queue-'))
    const path = join(dir, 'queue.db')
    const out = join(dir, 'handled.txt')
    const q = queue({ groups: { payments: ['g'] } })
    await q.publish([{ ...event('poison'), type: 'Poison' }, event('after-1'), event('after-2')])
    const fixture = join(import.meta.dir, 'testing', 'crashing-consumer.ts')
    let crashes = 0
    for (let round = 0; round < 10 && q.stats()[0]?.pending !== 0; round++) {
      const child = Bun.spawn([process.execPath, fixture, path, out, '3', '100'], {
        stdout: 'ignore',
        stderr: 'ignore',
      })
      const drained = eventually(async () => expect(q.stats()[0]?.pending).toBe(0), 5_000)
        .then(() => 'drained')
        .catch(() => 'not drained')
      const why = await Promise.race([child.exited.then(() => 'died'), drained])
      if (why === 'died') crashes++
      else process.kill(child.pid, 'SIGKILL')
      await child.exited
    }
    expect(crashes).toBe(3)
    expect(q.stats()).toEqual([
      { topic: 'payments', pending: 0, deadLettered: 1, oldestPendingMs: null },
    ])
    expect((await Bun.file(out).text()).trim().split('\n').sort()).toEqual(['after-1', 'after-2'])
  })

  it('keeps consuming when an ack, a nack or a claim fails', async () => {
    dir ||= mkdtempSync(join(tmpdir(), 'twinstack-queue-'))
    const logs: string[] = []
    const q = queue({
      groups: { payments: ['g'] },
      leaseMs: 200,
      busyTimeoutMs: 10,
      log: (m) => logs.push(m),
    })
    await q.publish([event('a')])
    // another process takes the queue file's write lock while the handler runs, so the ack
    // (and the claims after it) meet SQLITE_BUSY
    const other = new Database(join(dir, 'queue.db'))
    const calls: string[] = []
    q.subscribe({
      topic: 'payments',
      group: 'g',
      handle: (e) => {
        calls.push(e.id)
        if (calls.length === 1) other.run('BEGIN IMMEDIATE')
      },
    })
    await eventually(async () => expect(logs.join('\n')).toContain('failed'))
    other.run('COMMIT')
    other.close()
    await q.publish([event('b')])
    await eventually(async () => expect(q.stats()[0]?.pending).toBe(0))
    // a was handled, its ack failed, so it came again after its lease (the inbox skips repeats)
    expect(calls.toSorted()).toEqual(['a', 'a', 'b'])
  })

  it('hands back, uncounted, what it claimed but had not delivered when it closes', async () => {
    dir ||= mkdtempSync(join(tmpdir(), 'twinstack-queue-'))
    const q = sqliteQueue(join(dir, 'queue.db'), { groups: { payments: ['g'] }, pollMs: 5 })
    await q.publish([event('a'), event('b'), event('c')])
    const busy = gate()
    const started = gate()
    q.subscribe({
      topic: 'payments',
      group: 'g',
      handle: async () => {
        started.open()
        await busy.opened
      },
    })
    await started.opened
    const closing = q.close()
    busy.open()
    await closing
    const file = new Database(join(dir, 'queue.db'), { readonly: true })
    const rows = file
      .query(
        `SELECT m.event_id AS id, d.state, d.attempts FROM queue_deliveries d
         JOIN queue_messages m ON m.id = d.message_id ORDER BY m.id`,
      )
      .all()
    file.close()
    expect(rows).toEqual([
      { id: 'b', state: 'pending', attempts: 0 },
      { id: 'c', state: 'pending', attempts: 0 },
    ])
  })

  it('prunes messages every group acknowledged, and keeps the others', async () => {
    const q = queue({ groups: { payments: ['g', 'late'] }, retentionMs: 0, pruneEveryMs: 0 })
    await q.publish([event('a'), event('b')])
    const got: string[] = []
    q.subscribe({ topic: 'payments', group: 'g', handle: (e) => void got.push(e.id) })
    await eventually(async () => expect(got).toEqual(['a', 'b']))
    const file = new Database(join(dir, 'queue.db'), { readonly: true })
    const messages = () =>
      (file.query('SELECT count(*) AS n FROM queue_messages').get() as { n: number }).n
    // group `late` has not acknowledged them: they stay
    expect(messages()).toBe(2)
    q.subscribe({ topic: 'payments', group: 'late', handle: () => {} })
    await eventually(async () => expect(messages()).toBe(0))
    file.close()
  })
})
