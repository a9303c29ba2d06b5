import { describe, expect, it } from 'bun:test'
import { DeadLetterWatch } from './dashboard.ts'

const q = (topic: string, deadLettered: number) => ({
  topic,
  pending: 0,
  deadLettered,
  oldestPendingMs: null,
})

describe('DeadLetterWatch', () => {
  it('reports growth of dead letters per topic once, not the count it started from', () => {
    const watch = new DeadLetterWatch()
    watch.observe([q('payments', 2), q('orders', 0)], 't0')
    expect(watch.events).toEqual([])
    watch.observe([q('payments', 2), q('orders', 3)], 't1')
    watch.observe([q('payments', 3), q('orders', 3)], 't2')
    expect(watch.events).toEqual([
      { at: 't1', kind: 'dead-lettered', source: 'orders', detail: '3 messages given up on' },
      { at: 't2', kind: 'dead-lettered', source: 'payments', detail: '1 message given up on' },
    ])
  })
})
