import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Hono } from 'hono'
import { PaymentCapturedData } from '../../contracts/events.ts'
import type { AuthorizeInput, Payments } from '../../contracts/payments.ts'
import { sqliteOutbox, unsent } from '../../platform/bus/outbox.ts'
import type { Database } from '../../platform/db/index.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { memoryDatabase, testApp, threeWays } from '../../testing/harness.ts'
import { expectProblem, kindOf } from '../../testing/http.ts'
import { PaymentsService, payments, paymentsClient, paymentsRoutes } from './index.ts'

const OK = { number: '4242424242424242', expiry: '12/39', cvc: '123' }
const eur = (amount: number) => ({ amount, currency: 'EUR' })
const authorization = (over: Partial<AuthorizeInput> = {}): AuthorizeInput => ({
  reference: randomUUID(),
  userId: 'u-ada',
  email: 'ada@example.test',
  amount: eur(12.34),
  card: OK,
  ...over,
})

let database: Database | undefined
const capturedEvents = () =>
  unsent(database!.db, 1000).filter((e) => e.topic === 'payments' && e.type === 'PaymentCaptured')

threeWays<Payments>(
  'Payments',
  {
    service: async () => {
      const d = await memoryDatabase(payments)
      database = d
      return { service: new PaymentsService(d.db, sqliteOutbox('payments')), close: d.close }
    },
    routes: paymentsRoutes,
    client: paymentsClient,
  },
  (svc) => {
    it('authorises the test card', async () => {
      const input = authorization()
      const p = await svc().authorize(input)
      expect(p).toEqual({
        id: expect.any(String),
        reference: input.reference,
        orderId: null,
        amount: eur(12.34),
        status: 'authorized',
      })
    })

    it('authorises once per reference, answering a repeat with the first payment', async () => {
      const input = authorization()
      const first = await svc().authorize(input)
      expect(await svc().authorize(input)).toEqual(first)
      expect(await kindOf(svc().authorize({ ...input, amount: eur(99) }))).toBe('conflict')
    })

    it('declines numbers ending 0002, expired and Luhn-invalid cards (422)', async () => {
      const declined = { ...OK, number: '4000000000000002' }
      expect(await kindOf(svc().authorize(authorization({ card: declined })))).toBe('rule')
      const expired = { ...OK, expiry: '01/20' }
      expect(await kindOf(svc().authorize(authorization({ card: expired })))).toBe('rule')
      const luhn = { ...OK, number: '4242424242424241' }
      expect(await kindOf(svc().authorize(authorization({ card: luhn })))).toBe('rule')
    })

    it('refuses amounts no card can be charged (400)', async () => {
      expect(await kindOf(svc().authorize(authorization({ amount: eur(0) })))).toBe('invalid')
      expect(await kindOf(svc().authorize(authorization({ amount: eur(-5) })))).toBe('invalid')
      expect(await kindOf(svc().authorize(authorization({ amount: eur(1e12) })))).toBe('invalid')
      const odd = { amount: 5, currency: 'euros' }
      expect(await kindOf(svc().authorize(authorization({ amount: odd })))).toBe('invalid')
    })

    it('captures once, publishing exactly one PaymentCaptured', async () => {
      const p = await svc().authorize(authorization())
      const before = capturedEvents().length
      const captured = await svc().capture(p.reference, 'o-1')
      expect(captured).toMatchObject({ id: p.id, orderId: 'o-1', status: 'captured' })
      expect(await svc().capture(p.reference, 'o-1')).toEqual(captured)
      expect(await svc().payment(p.reference)).toEqual(captured)
      const events = capturedEvents()
      expect(events).toHaveLength(before + 1)
      expect(PaymentCapturedData.parse(events.at(-1)!.data)).toEqual({
        paymentId: p.id,
        orderId: 'o-1',
        userId: 'u-ada',
        email: 'ada@example.test',
        amount: eur(12.34),
      })
      expect(events.at(-1)!.source).toBe('payments')
      expect(await kindOf(svc().capture(p.reference, 'o-2'))).toBe('conflict')
    })

    it('voids an authorisation; voiding twice changes nothing; a voided one cannot capture', async () => {
      const p = await svc().authorize(authorization())
      expect(await svc().void(p.reference)).toMatchObject({ id: p.id, status: 'voided' })
      expect(await svc().void(p.reference)).toMatchObject({ id: p.id, status: 'voided' })
      const before = capturedEvents().length
      expect(await kindOf(svc().capture(p.reference, 'o-1'))).toBe('conflict')
      expect(capturedEvents()).toHaveLength(before)
    })

    it('refuses to void a captured payment (409)', async () => {
      const p = await svc().authorize(authorization())
      await svc().capture(p.reference, 'o-1')
      expect(await kindOf(svc().void(p.reference))).toBe('conflict')
    })

    it('refunds a captured payment once, publishing PaymentRefunded; voids an authorised one', async () => {
      const p = await svc().authorize(authorization())
      await svc().capture(p.reference, 'o-r')
      const refunds = () =>
        unsent(database!.db, 1000).filter(
          (e) => e.type === 'PaymentRefunded' && (e.data as { orderId: string }).orderId === 'o-r',
        )
      expect((await svc().refund(p.reference)).status).toBe('refunded')
      expect((await svc().refund(p.reference)).status).toBe('refunded')
      expect(refunds()).toHaveLength(1)
      expect(refunds()[0]!.topic).toBe('payments')
      const q = await svc().authorize(authorization())
      expect((await svc().refund(q.reference)).status).toBe('voided')
    })

    it('records a void that overtakes its authorisation, so the late one holds nothing', async () => {
      const input = authorization()
      expect((await svc().void(input.reference)).status).toBe('voided')
      expect((await svc().authorize(input)).status).toBe('voided')
      expect(await kindOf(svc().capture(input.reference, 'o-1'))).toBe('conflict')
    })

    it('answers 404 / null for an unknown payment', async () => {
      expect(await kindOf(svc().capture('nope-payment', 'o-1'))).toBe('not-found')
      expect(await svc().payment('nope-payment')).toBeNull()
    })

    it('never stores the full card number', async () => {
      await svc().authorize(authorization())
      const rows = database!.db.all(sql`select * from payments_payments`)
      expect(rows.length).toBeGreaterThan(0)
      expect(JSON.stringify(rows)).not.toContain(OK.number)
      expect(JSON.stringify(rows)).toContain('"4242"')
    })
  },
)

describe('PaymentsService authorisations', () => {
  it('lapse: the sweeper voids one nobody captured, once, and leaves captured ones', async () => {
    const d = await memoryDatabase(payments)
    const svc = new PaymentsService(d.db, sqliteOutbox('payments'), { authorizationTtlMs: 60_000 })
    const lapsing = await svc.authorize(authorization())
    const taken = await svc.authorize(authorization())
    await svc.capture(taken.reference, 'o-t')
    expect(svc.sweep()).toBe(0)
    expect(svc.sweep(Date.now() + 61_000)).toBe(1)
    expect(svc.sweep(Date.now() + 61_000)).toBe(0)
    expect((await svc.payment(lapsing.reference))?.status).toBe('voided')
    expect((await svc.payment(taken.reference))?.status).toBe('captured')
    d.close()
  })
})

describe('Payments routes', () => {
  let d: Database
  let app: Hono<AppEnv>
  const post = (path: string, body: string) =>
    app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })

  beforeAll(async () => {
    d = await memoryDatabase(payments)
    app = testApp(paymentsRoutes(new PaymentsService(d.db, sqliteOutbox('payments'))))
  })
  afterAll(() => d.close())

  it('answers an authorisation with 201 and a refused card with a 422 problem', async () => {
    const res = await post('/internal/payments/authorizations', JSON.stringify(authorization()))
    expect(res.status).toBe(201)
    const declined = authorization({ card: { ...OK, number: '4000000000000002' } })
    await expectProblem(
      await post('/internal/payments/authorizations', JSON.stringify(declined)),
      422,
    )
  })

  it('answers bad authorisation bodies with 400 problems', async () => {
    const path = '/internal/payments/authorizations'
    await expectProblem(await post(path, '{"reference": '), 400)
    await expectProblem(await post(path, '{}'), 400)
    await expectProblem(await post(path, JSON.stringify({ ...authorization(), amount: '12' })), 400)
    await expectProblem(
      await post(path, JSON.stringify({ ...authorization(), card: { ...OK, number: 'x' } })),
      400,
    )
    await expectProblem(
      await post(path, JSON.stringify({ ...authorization(), card: { ...OK, expiry: '13/30' } })),
      400,
    )
    await expectProblem(
      await post(path, JSON.stringify({ ...authorization(), reference: 'r'.repeat(101) })),
      400,
    )
    await expectProblem(
      await post(path, JSON.stringify(authorization({ amount: eur(1e300) }))),
      400,
    )
  })

  it('answers bad capture and void requests with 4xx problems', async () => {
    const ok = await post('/internal/payments/authorizations', JSON.stringify(authorization()))
    const { reference } = await ok.json()
    const at = `/internal/payments/references/${reference}`
    await expectProblem(await post(`${at}/capture`, '{'), 400)
    await expectProblem(await post(`${at}/capture`, '{}'), 400)
    await expectProblem(await post(`${at}/capture`, '{"orderId": 42}'), 400)
    await expectProblem(
      await post('/internal/payments/references/nope/capture', '{"orderId": "o-1"}'),
      404,
    )
    await expectProblem(await app.request('/internal/payments/references/nope'), 404)
    await expectProblem(
      await post(`/internal/payments/references/${'x'.repeat(101)}/void`, ''),
      400,
    )
    const captured = await post(`${at}/capture`, '{"orderId": "o-1"}')
    expect(captured.status).toBe(200)
    await expectProblem(await post(`${at}/void`, ''), 409)
  })
})
