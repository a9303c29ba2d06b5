import { afterEach, beforeEach, describe, expect, it } from 'bun:test'
import { count, sql } from 'drizzle-orm'
import type { IntegrationEvent, PaymentCaptured } from '../../contracts/events.ts'
import type { Notifications } from '../../contracts/notifications.ts'
import { inboxed } from '../../platform/bus/inbox.ts'
import { inbox } from '../../platform/bus/schema.ts'
import type { Database } from '../../platform/db/index.ts'
import { memoryDatabase, testApp, testTokens, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import {
  NotificationsService,
  notifications,
  notificationsClient,
  notificationsConsumers,
  notificationsRoutes,
  notifyPayment,
  PAYMENT_CONFIRMATION,
  REFUND_CONFIRMATION,
} from './index.ts'
import { notifications as notificationsTable } from './schema.ts'

let n = 0
const captured = (
  over: Partial<PaymentCaptured> = {},
  type = 'PaymentCaptured',
): IntegrationEvent => {
  n++
  return {
    id: `evt-${n}`,
    topic: 'payments',
    type,
    occurredAt: new Date().toISOString(),
    source: 'payments',
    traceId: `trace-${n}`,
    data: {
      paymentId: `pay-${n}`,
      orderId: `ord-${n}`,
      userId: 'u-0001',
      email: 'demo1@twinstack.dev',
      amount: { amount: 12.5, currency: 'EUR' },
      ...over,
    },
  }
}

const consumer = notificationsConsumers[0]!
const rows = (db: Database['db']) =>
  db.select({ n: count() }).from(notificationsTable).get()?.n ?? 0

threeWays<Notifications>(
  'Notifications',
  {
    service: async () => {
      const database = await memoryDatabase(notifications)
      const handle = inboxed(database.db, consumer.group, consumer.handler)
      handle(captured({ paymentId: 'pay-a', orderId: 'ord-a' }))
      handle(captured({ paymentId: 'pay-b', orderId: 'ord-b' }))
      handle(captured({ paymentId: 'pay-c', orderId: 'ord-c', userId: 'u-0002' }))
      return { service: new NotificationsService(database.db), close: database.close }
    },
    routes: notificationsRoutes,
    client: notificationsClient,
  },
  (svc) => {
    it('lists a customer’s notifications, newest first', async () => {
      const items = await svc().forUser('u-0001')
      expect(items.map((i) => i.orderId)).toEqual(['ord-b', 'ord-a'])
      expect(items[0]).toMatchObject({ kind: 'payment-confirmation', to: 'demo1@twinstack.dev' })
      expect(Object.keys(items[0]!).sort()).toEqual(['id', 'kind', 'orderId', 'sentAt', 'to'])
    })

    it('keeps customers apart', async () => {
      expect((await svc().forUser('u-0002')).map((i) => i.orderId)).toEqual(['ord-c'])
    })

    it('answers an empty list for a user without notifications', async () => {
      expect(await svc().forUser('u-0099')).toEqual([])
    })

    it('honours a limit', async () => {
      expect(await svc().forUser('u-0001', 1)).toHaveLength(1)
    })

    it('pages with a cursor, newest first, to a last page without one', async () => {
      const first = await svc().page('u-0001', { limit: 1 })
      expect(first.items.map((i) => i.orderId)).toEqual(['ord-b'])
      expect(first.nextCursor).toEqual(expect.any(String))
      const second = await svc().page('u-0001', { limit: 1, cursor: first.nextCursor! })
      expect(second).toEqual({
        items: [expect.objectContaining({ orderId: 'ord-a' })],
        nextCursor: null,
      })
      expect(await svc().page('u-0001', {})).toMatchObject({ nextCursor: null })
    })

    it('refuses a cursor it did not give out', async () => {
      for (const cursor of ['nope', Buffer.from('[1,2]').toString('base64url')]) {
        const error = await svc()
          .page('u-0001', { cursor })
          .catch((e: unknown) => e)
        expect((error as { kind?: string }).kind).toBe('invalid')
      }
    })
  },
)

describe('NotificationsService.page', () => {
  it('walks every notification exactly once, even many sent in the same millisecond', async () => {
    const database = await memoryDatabase(notifications)
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    for (let i = 0; i < 23; i++) handle(captured({ orderId: `bulk-${i}`, userId: 'u-0042' }))
    // the same sentAt for a block of them: the order must still be total
    database.db
      .update(notificationsTable)
      .set({ sentAt: '2026-01-01T00:00:00.000Z' })
      .where(sql`rowid % 3 = 0`)
      .run()
    const svc = new NotificationsService(database.db)
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await svc.page('u-0042', { limit: 5, cursor })
      seen.push(...page.items.map((i) => i.orderId))
      cursor = page.nextCursor ?? undefined
      pages++
    } while (cursor)
    expect(pages).toBe(5)
    expect(seen.toSorted()).toEqual(Array.from({ length: 23 }, (_, i) => `bulk-${i}`).sort())
    expect(seen).toEqual((await svc.forUser('u-0042', 100)).map((i) => i.orderId))
    database.close()
  })
})

describe('notificationsConsumers', () => {
  let database: Database
  beforeEach(async () => {
    database = await memoryDatabase(notifications)
  })
  afterEach(() => database.close())

  it('subscribes the notifications group to the payments topic', () => {
    expect(notificationsConsumers.map(({ topic, group }) => ({ topic, group }))).toEqual([
      { topic: 'payments', group: 'notifications' },
    ])
  })

  it('sends one notification when the same event is delivered twice', async () => {
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    const event = captured()
    handle(event)
    handle(event)
    expect(rows(database.db)).toBe(1)
    expect(database.db.select({ n: count() }).from(inbox).get()?.n).toBe(1)
  })

  it('sends one notification for one payment published under two event ids', () => {
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    const first = captured({ paymentId: 'pay-same' })
    handle(first)
    handle({ ...first, id: 'another-id' })
    expect(rows(database.db)).toBe(1)
  })

  it('ignores other payment events', () => {
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    handle(captured({}, 'PaymentAuthorized'))
    handle(captured({}, 'PaymentVoided'))
    expect(rows(database.db)).toBe(0)
  })

  it('sends one refund confirmation per refunded payment, beside its payment confirmation', () => {
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    const paid = captured({ paymentId: 'pay-r' })
    handle(paid)
    const refunded = { ...captured({ paymentId: 'pay-r' }, 'PaymentRefunded'), id: 'refund-1' }
    handle(refunded)
    handle({ ...refunded, id: 'refund-again' })
    const kinds = database.db
      .select({ kind: notificationsTable.kind })
      .from(notificationsTable)
      .all()
      .map((r) => r.kind)
      .sort()
    expect(kinds).toEqual([PAYMENT_CONFIRMATION, REFUND_CONFIRMATION])
  })

  it('rolls the effect back when the handler fails after it, so a retry applies it once', () => {
    const event = captured()
    const failing = inboxed(database.db, consumer.group, (tx, e) => {
      notifyPayment(tx, e)
      throw new Error('crash after the insert')
    })
    expect(() => failing(event)).toThrow('crash after the insert')
    expect(rows(database.db)).toBe(0)
    expect(database.db.select({ n: count() }).from(inbox).get()?.n).toBe(0)
    inboxed(database.db, consumer.group, consumer.handler)(event)
    expect(rows(database.db)).toBe(1)
  })

  it('refuses a malformed PaymentCaptured so the transport can dead-letter it', () => {
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    const bad = { ...captured(), data: { paymentId: 'p', orderId: 42 } }
    expect(() => handle(bad)).toThrow()
    expect(rows(database.db)).toBe(0)
    expect(database.db.select({ n: count() }).from(inbox).get()?.n).toBe(0)
  })
})

describe('notificationsRoutes', () => {
  let database: Database
  let app: ReturnType<typeof testApp>
  beforeEach(async () => {
    database = await memoryDatabase(notifications)
    const handle = inboxed(database.db, consumer.group, consumer.handler)
    handle(captured({ userId: 'u-0007', email: 'demo7@twinstack.dev', orderId: 'ord-7' }))
    handle(captured({ userId: 'u-0008', email: 'demo8@twinstack.dev', orderId: 'ord-8' }))
    app = testApp(notificationsRoutes(new NotificationsService(database.db)))
  })
  afterEach(() => database.close())

  const tokenOf = (id: string, role: 'customer' | 'admin' = 'customer') =>
    testTokens.issue({ id, email: `${id}@twinstack.dev`, role })

  it('GET /api/notifications lists the caller’s own notifications', async () => {
    const res = await app.request('/api/notifications', {
      headers: { Authorization: `Bearer ${await tokenOf('u-0007')}` },
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { items: { orderId: string; to: string }[] }
    expect(body.items).toHaveLength(1)
    expect(body.items[0]).toMatchObject({
      orderId: 'ord-7',
      to: 'demo7@twinstack.dev',
      kind: 'payment-confirmation',
    })
  })

  it('GET /api/notifications shows an admin only the admin’s own', async () => {
    const res = await app.request('/api/notifications', {
      headers: { Authorization: `Bearer ${await tokenOf('u-admin', 'admin')}` },
    })
    expect(await res.json()).toEqual({ items: [], nextCursor: null })
  })

  it('GET /api/notifications answers 401 without or with a bad token', async () => {
    await expectProblem(await app.request('/api/notifications'), 401)
    await expectProblem(
      await app.request('/api/notifications', { headers: { Authorization: 'Bearer nope' } }),
      401,
    )
  })

  it('GET /api/notifications refuses a bad limit with 400', async () => {
    const headers = { Authorization: `Bearer ${await tokenOf('u-0007')}` }
    for (const limit of ['0', '101', 'abc', '1e309', '2.5']) {
      await expectProblem(await app.request(`/api/notifications?limit=${limit}`, { headers }), 400)
    }
    for (const cursor of ['x', 'e30', 'y'.repeat(201)]) {
      await expectProblem(
        await app.request(`/api/notifications?cursor=${cursor}`, { headers }),
        400,
      )
    }
  })

  it('GET /internal/notifications/users/:id lists anyone’s', async () => {
    const res = await app.request('/internal/notifications/users/u-0008')
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1)
  })

  it('GET /internal/notifications/users/:id refuses a huge id and a bad limit with 400', async () => {
    await expectProblem(await app.request(`/internal/notifications/users/${'x'.repeat(65)}`), 400)
    await expectProblem(await app.request('/internal/notifications/users/u-0008?limit=-1'), 400)
  })
})
