import { describe, expect, it } from 'bun:test'
import { CircuitState } from 'cockatiel'
import { BreakerBoard } from '../http/breakers.ts'
import { breakerFeed, chaosFeed, FeedLog, latestFeed } from './feed.ts'

describe('breakerFeed', () => {
  it('tells each transition once, with the failures that opened it, and keeps the last few', () => {
    const board = new BreakerBoard()
    const log = breakerFeed(board, new FeedLog(2))
    const link = board.track('orders', 'payments')
    link.failures = 5
    board.transition(link, CircuitState.Open)
    board.transition(link, CircuitState.HalfOpen)
    board.transition(link, CircuitState.Closed)
    expect(log.events.map((e) => [e.kind, e.source, e.detail])).toEqual([
      ['breaker half-open', 'orders -> payments', 'after 5 failures'],
      ['breaker closed', 'orders -> payments', ''],
    ])
  })
})

describe('chaosFeed and latestFeed', () => {
  it('turns chaos events into feed lines and keeps the latest, oldest first', () => {
    const feed = chaosFeed([
      { at: '3', kind: 'heal', target: 'all', detail: 'faults removed' },
      { at: '1', kind: 'errors', target: 'pricing', detail: '100 %' },
    ])
    expect(feed[1]).toEqual({ at: '1', kind: 'chaos errors', source: 'pricing', detail: '100 %' })
    const restart = { at: '2', kind: 'restarted', source: 'monolith', detail: '' }
    expect(latestFeed([...feed, restart], 2).map((e) => e.at)).toEqual(['2', '3'])
  })
})
