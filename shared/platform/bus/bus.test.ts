import { afterEach, describe, expect, it } from 'bun:test'
import { count, eq } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { IntegrationEvent } from '../../contracts/events.ts'
import { memoryDatabase } from '../../testing/harness.ts'
import { eventually } from '../../testing/wait.ts'
import type { Database } from '../db/index.ts'
import { write } from '../db/index.ts'
import { inboxed, recordDeadLetter } from './inbox.ts'
import { mittTransport } from './mitt.ts'
import { sqliteOutbox, unsent } from './outbox.ts'
import { RELAY_CONSUMER, Relay } from './relay.ts'
import { deadLetters, inbox as inboxTable, outbox as outboxTable } from './schema.ts'
import { outboxQueueStats } from './status.ts'

const effects = sqliteTable('test_effects', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  eventId: text('event_id').notNull(),
})

async function setup(): Promise<Database> {
  const database = await memoryDatabase()
  database.db.run(
    'CREATE TABLE test_effects (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL)',
  )
  return database
}

const effectCount = (database: Database) =>
  database.db.select({ n: count() }).from(effects).get()?.n ?? 0

const event = (id: string): IntegrationEvent => ({
  id,
  topic: 't',
  type: 'Happened',
  occurredAt: new Date().toISOString(),
  source: 'test',
  traceId: 'x',
  data: {},
})

let open: Database | undefined
afterEach(() => {
  open?.close()
  open = undefined
})

describe('Outbox', () => {
  it('writes events only when the transaction commits', async () => {
    open = await setup()
    const outbox = sqliteOutbox('test')
    expect(() =>
      write(open!.db, (tx) => {
        outbox.add(tx, 't', 'Happened', { n: 1 })
        throw new Error('rolled back')
      }),
    ).toThrow('rolled back')
    expect(unsent(open.db, 10)).toHaveLength(0)
    write(open.db, (tx) => outbox.add(tx, 't', 'Happened', { n: 2 }))
    const rows = unsent(open.db, 10)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ topic: 't', type: 'Happened', source: 'test', data: { n: 2 } })
  })
})

describe('inboxed', () => {
  it('applies a redelivered event once', async () => {
    open = await setup()
    const handle = inboxed(open.db, 'c', (tx, e) => {
      tx.insert(effects).values({ eventId: e.id }).run()
    })
    handle(event('e1'))
    handle(event('e1'))
    handle(event('e2'))
    expect(effectCount(open)).toBe(2)
  })

  it('leaves no effect and no inbox row when the handler throws', async () => {
    open = await setup()
    let fail = true
    const handle = inboxed(open.db, 'c', (tx, e) => {
      tx.insert(effects).values({ eventId: e.id }).run()
      if (fail) throw new Error('boom')
    })
    expect(() => handle(event('e1'))).toThrow('boom')
    expect(effectCount(open)).toBe(0)
    fail = false
    handle(event('e1'))
    expect(effectCount(open)).toBe(1)
  })
})

describe('Relay over mitt', () => {
  it('delivers committed events to every group and marks them sent', async () => {
    open = await setup()
    const db = open.db
    const transport = mittTransport({ onDeadLetter: () => {} })
    const seen: string[] = []
    transport.subscribe({ topic: 't', group: 'a', handle: (e) => void seen.push(`a:${e.type}`) })
    transport.subscribe({ topic: 't', group: 'b', handle: (e) => void seen.push(`b:${e.type}`) })
    const relay = new Relay(db, transport)
    const outbox = sqliteOutbox('test', relay.kick)
    write(db, (tx) => {
      outbox.add(tx, 't', 'One', {})
      outbox.add(tx, 't', 'Two', {})
    })
    await relay.drain()
    expect(seen).toEqual(['a:One', 'b:One', 'a:Two', 'b:Two'])
    expect(unsent(db, 10)).toHaveLength(0)
  })

  it('keeps events in the outbox when a crash comes before the transport accepted them', async () => {
    open = await setup()
    const db = open.db
    const outbox = sqliteOutbox('test')
    write(db, (tx) => outbox.add(tx, 't', 'One', {}))
    // a "crashed" process: the transport never finishes accepting
    const stuck = new Relay(db, {
      name: 'stuck',
      publish: () => Promise.reject(new Error('process died')),
      subscribe: () => {},
      stats: () => [],
      close: async () => {},
    })
    await expect(stuck.drain()).rejects.toThrow('process died')
    expect(unsent(db, 10)).toHaveLength(1)
    // after "restart" a new relay delivers it, and the inbox keeps the effect single
    const transport = mittTransport({ onDeadLetter: () => {} })
    transport.subscribe({
      topic: 't',
      group: 'g',
      handle: inboxed(db, 'g', (tx, e) => void tx.insert(effects).values({ eventId: e.id }).run()),
    })
    await new Relay(db, transport).drain()
    expect(effectCount(open)).toBe(1)
  })

  it('retries a failing handler, then dead-letters the event and moves on', async () => {
    open = await setup()
    const db = open.db
    const transport = mittTransport({
      retry: { maxAttempts: 3, baseDelayMs: 1 },
      onDeadLetter: (group, e, error, attempts) => recordDeadLetter(db, group, e, error, attempts),
    })
    let calls = 0
    transport.subscribe({
      topic: 't',
      group: 'g',
      handle: () => {
        calls++
        throw new Error('always fails')
      },
    })
    const relay = new Relay(db, transport)
    write(db, (tx) => sqliteOutbox('test').add(tx, 't', 'Bad', {}))
    await relay.drain()
    expect(calls).toBe(3)
    const dead = db.select().from(deadLetters).where(eq(deadLetters.consumer, 'g')).all()
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ topic: 't', type: 'Bad', attempts: 3, error: 'always fails' })
    expect(outboxQueueStats(db)).toEqual([
      { topic: 't', pending: 0, deadLettered: 1, oldestPendingMs: null },
    ])
  })

  it('dead-letters an event that takes the process down N times, and delivers the rest', async () => {
    open = await setup()
    const db = open.db
    const outbox = sqliteOutbox('test')
    write(db, (tx) => {
      outbox.add(tx, 't', 'Poison', {})
      outbox.add(tx, 't', 'One', {})
      outbox.add(tx, 't', 'Two', {})
    })
    const seen: string[] = []
    const attemptsOfPoison = () =>
      db
        .select({ n: outboxTable.attempts })
        .from(outboxTable)
        .where(eq(outboxTable.type, 'Poison'))
        .get()?.n
    let crashes = 0
    for (let boot = 0; boot < 10 && unsent(db, 10).length > 0; boot++) {
      // one "process": a relay over mitt whose consumer never comes back from the poison, as a
      // process killed inside the handler never does; the next boot starts over on the file
      const transport = mittTransport({ onDeadLetter: () => {} })
      transport.subscribe({
        topic: 't',
        group: 'g',
        handle: (e) => (e.type === 'Poison' ? new Promise<void>(() => {}) : void seen.push(e.type)),
      })
      const before = attemptsOfPoison()
      const finished = new Relay(db, transport, { maxAttempts: 3 }).drain().then(() => true)
      const died = eventually(async () => expect(attemptsOfPoison()).toBeGreaterThan(before!)).then(
        () => false,
      )
      if (!(await Promise.race([finished, died]))) crashes++
    }
    expect(crashes).toBe(3)
    expect(seen).toEqual(['One', 'Two'])
    expect(unsent(db, 10)).toHaveLength(0)
    const dead = db.select().from(deadLetters).all()
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ consumer: RELAY_CONSUMER, type: 'Poison', attempts: 3 })
  })

  it('counts deliveries only of what a restart found unsent, not of what came later', async () => {
    open = await setup()
    const db = open.db
    const outbox = sqliteOutbox('test')
    write(db, (tx) => outbox.add(tx, 't', 'LeftByACrash', {}))
    const transport = mittTransport({ onDeadLetter: () => {} })
    transport.subscribe({ topic: 't', group: 'g', handle: () => {} })
    const relay = new Relay(db, transport)
    await relay.drain()
    write(db, (tx) => {
      outbox.add(tx, 't', 'New', {})
      outbox.add(tx, 't', 'Newer', {})
    })
    await relay.drain()
    const attempts = db
      .select({ type: outboxTable.type, attempts: outboxTable.attempts })
      .from(outboxTable)
      .all()
    expect(attempts).toEqual([
      { type: 'LeftByACrash', attempts: 1 },
      { type: 'New', attempts: 0 },
      { type: 'Newer', attempts: 0 },
    ])
  })

  it('prunes sent outbox rows and old inbox rows, and keeps the rest', async () => {
    open = await setup()
    const db = open.db
    const transport = mittTransport({ onDeadLetter: () => {} })
    transport.subscribe({ topic: 't', group: 'g', handle: inboxed(db, 'g', () => {}) })
    const relay = new Relay(db, transport, {
      outboxRetentionMs: 0,
      inboxRetentionMs: 0,
      pruneEveryMs: 0,
    })
    write(db, (tx) => sqliteOutbox('test').add(tx, 't', 'One', {}))
    await relay.drain()
    write(db, (tx) => sqliteOutbox('test').add(tx, 't', 'Unsent', {}))
    const rows = () => ({
      outbox: db.select({ n: count() }).from(outboxTable).get()?.n,
      inbox: db.select({ n: count() }).from(inboxTable).get()?.n,
    })
    expect(rows()).toEqual({ outbox: 2, inbox: 1 })
    relay.prune(Date.now() + 1)
    expect(rows()).toEqual({ outbox: 1, inbox: 0 })
    expect(unsent(db, 10).map((e) => e.type)).toEqual(['Unsent'])
  })

  it('reports pending events per topic until relayed', async () => {
    open = await setup()
    const db = open.db
    write(db, (tx) => {
      sqliteOutbox('test').add(tx, 'x', 'A', {})
      sqliteOutbox('test').add(tx, 'x', 'B', {})
    })
    const [stat] = outboxQueueStats(db)
    expect(stat?.topic).toBe('x')
    expect(stat?.pending).toBe(2)
    expect(stat?.oldestPendingMs).toBeGreaterThanOrEqual(0)
  })
})
