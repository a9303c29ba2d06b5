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
