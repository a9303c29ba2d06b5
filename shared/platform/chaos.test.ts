import { describe, expect, it } from 'bun:test'
import { eventually } from '../testing/wait.ts'
import { FaultBoard, withFaults } from './chaos.ts'
import { maxRssMiB, rssMiB, withoutMaxRss } from './rss.ts'

// a module's service as the wiring sees it: one method, counting the calls that reached it
const counter = () => ({
  calls: 0,
  async get(n: number) {
    this.calls++
    return n * 2
  },
})

// settles says whether a promise has settled once everything already queued has run (one turn
// of the event loop): a held call waits on a promise only heal resolves, so no amount of waiting
// would settle it, and none is needed to tell
async function settles(p: Promise<unknown>): Promise<boolean> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  return Bun.peek.status(p) !== 'pending'
}

describe('FaultBoard hang', () => {
  it('holds calls into the target unanswered until heal, then lets them go on', async () => {
    const board = new FaultBoard()
    const svc = counter()
    const wrapped = withFaults(board, 'http', 'pricing', svc)
    board.hang('pricing')
    const first = wrapped.get(1)
    const second = wrapped.get(2)
    expect(await settles(first)).toBe(false)
    expect(svc.calls).toBe(0)
    // other targets are not held
    expect(await withFaults(board, 'http', 'catalog', counter()).get(3)).toBe(6)
    expect(board.snapshot().faults.pricing?.hang).toBe(true)
    board.heal('pricing')
    expect(await first).toBe(2)
    expect(await second).toBe(4)
    expect(svc.calls).toBe(2)
    expect(board.snapshot().faults.pricing).toBeUndefined()
    // and a new call goes straight through
    expect(await wrapped.get(5)).toBe(10)
  })

  it('is released by heal all too', async () => {
    const board = new FaultBoard()
    const wrapped = withFaults(board, 'http', 'orders', counter())
    board.hang('orders')
    const held = wrapped.get(4)
    expect(await settles(held)).toBe(false)
    board.heal('all')
    expect(await held).toBe(8)
  })
})

describe('withFaults while nothing is armed', () => {
  it("calls the service's own method directly, and swaps the checks in and out as faults come and go", async () => {
    const board = new FaultBoard()
    const svc = {
      // synchronous on purpose: a direct call answers a value, a checked one a promise
      double: (n: number) => n * 2,
    }
    const wrapped = withFaults(board, 'http', 'pricing', svc)
    expect(wrapped.double(2)).toBe(4)
    board.partition('http', 'pricing')
    const refused = wrapped.double(3) as unknown as Promise<number>
    expect(refused).toBeInstanceOf(Promise)
    expect(await refused.catch((e: Error) => e.message)).toContain('partitioned')
    board.heal('all')
    expect(wrapped.double(5)).toBe(10)
    // a fault on another target arms the board: calls here are checked, and go through
    board.latency('catalog', 0)
    expect(await wrapped.double(6)).toBe(12)
    board.heal('catalog')
    expect(wrapped.double(7)).toBe(14)
  })
})

describe('FaultBoard cpu', () => {
  it('burns the CPU synchronously in every call: the caller is blocked that long', () => {
    const board = new FaultBoard()
    const wrapped = withFaults(board, 'http', 'pricing', counter())
    board.cpu('pricing', 60)
    expect(board.snapshot().faults.pricing?.cpuMs).toBe(60)
    const started = performance.now()
    // not awaited: the burn happens before the call first yields
    const pending = wrapped.get(1)
    expect(performance.now() - started).toBeGreaterThanOrEqual(60)
    return pending
  })
})

describe('FaultBoard leak', () => {
  it('grows the process by retained, resident memory until healed', async () => {
    const board = new FaultBoard()
    const before = process.memoryUsage.rss()
    board.leak('orders', 100)
    expect(board.snapshot().faults.orders?.leakMiBPerSec).toBe(100)
    await eventually(async () => {
      expect(process.memoryUsage.rss() - before).toBeGreaterThan(50 * 1024 * 1024)
    }, 30_000)
    board.heal('orders')
    expect(board.snapshot().faults.orders).toBeUndefined()
    expect(board.armed).toBe(false)
  })
})

describe('FaultBoard poison', () => {
  it('makes the next message consumed throw on every delivery; others pass; heal ends it', async () => {
    const board = new FaultBoard()
    const handled: string[] = []
    const handle = board.consumer('notifications', (e: { id: string }) => {
      handled.push(e.id)
    })
    await handle({ id: 'before' })
    board.poison('notifications')
    expect(() => handle({ id: 'e1' })).toThrow('poisoned message e1')
    await handle({ id: 'e2' })
    expect(() => handle({ id: 'e1' })).toThrow('poisoned message e1')
    expect(board.snapshot().faults.notifications?.poisonedEvent).toBe('e1')
    expect(board.events.at(-1)?.kind).toBe('poisoned')
    // another target's consumers are untouched
    await board.consumer('reporting', (e: { id: string }) => void handled.push(e.id))({ id: 'r1' })
    board.heal('notifications')
    await handle({ id: 'e1' })
    expect(handled).toEqual(['before', 'e2', 'r1', 'e1'])
  })
})

describe('FaultBoard crash, errors and latency', () => {
  it('still crash, fail and delay calls as before', async () => {
    let crashed = 0
    const board = new FaultBoard(() => {
      crashed++
    })
    const wrapped = withFaults(board, 'http', 'payments', counter())
    board.errors('payments', 1)
    await expect(wrapped.get(1)).rejects.toThrow('payments: injected fault')
    board.heal('payments')
    board.crash('payments')
    await wrapped.get(1)
    expect(crashed).toBe(1)
  })
})

describe('maxRssMiB', () => {
  it('reads --max-rss in both spellings, else the env, else no limit; refuses nonsense', () => {
    expect(maxRssMiB(['--demo', '--max-rss', '300'], {})).toBe(300)
    expect(maxRssMiB(['--max-rss=250', '--reset'], {})).toBe(250)
    expect(maxRssMiB(['--demo'], { TWINSTACK_MAX_RSS_MB: '400' })).toBe(400)
    expect(maxRssMiB(['--demo'], {})).toBeNull()
    expect(() => maxRssMiB(['--max-rss', 'lots'], {})).toThrow('--max-rss must be')
    expect(withoutMaxRss(['--demo', '--max-rss', '300', '--max-rss=2', '--reset'])).toEqual([
      '--demo',
      '--reset',
    ])
  })

  it('reads the resident memory of a live process, and nothing of a gone one', () => {
    expect(rssMiB(process.pid)).toBeGreaterThan(1)
    expect(rssMiB(2 ** 22 + 12345)).toBeNull()
  })
})
