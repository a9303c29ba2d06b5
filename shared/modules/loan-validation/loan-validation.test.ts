import { afterEach, beforeEach, describe, expect, it } from 'bun:test'
import { count } from 'drizzle-orm'
import type {
  Application,
  CreditCheck,
  LoanApplicationInput,
  LoanValidation,
} from '../../contracts/loans.ts'
import { isDomainError } from '../../domain/errors.ts'
import type { Database } from '../../platform/db/index.ts'
import { memoryDatabase, testApp, testTokens, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import {
  LoanValidationService,
  loanValidation,
  loanValidationClient,
  loanValidationRoutes,
} from './index.ts'
import { loans } from './schema.ts'

// stubCreditCheck stands in for the rest of the chain: it approves incomes of 3000 and more,
// rejects the rest, and remembers what it was handed
function stubCreditCheck(): CreditCheck & { calls: Application[] } {
  const calls: Application[] = []
  return {
    calls,
    assess: async (application) => {
      calls.push(application)
      const trail = [
        ...application.trail,
        { step: 'credit-check' as const, ok: true, score: 700 },
        { step: 'approval' as const, ok: application.monthlyIncome >= 3_000 },
      ]
      return application.monthlyIncome >= 3_000
        ? { decision: 'approved', rate: 5.4, monthlyPayment: 301.51, trail }
        : { decision: 'rejected', trail }
    },
  }
}

const input = (over: Partial<LoanApplicationInput> = {}): LoanApplicationInput => ({
  amount: 10_000,
  termMonths: 36,
  monthlyIncome: 3_000,
  purpose: 'car',
  ...over,
})

let credit = stubCreditCheck()
let stored: () => number = () => 0

threeWays<LoanValidation>(
  'LoanValidation',
  {
    service: async () => {
      const database = await memoryDatabase(loanValidation)
      credit = stubCreditCheck()
      stored = () => database.db.select({ n: count() }).from(loans).get()?.n ?? 0
      return {
        service: new LoanValidationService(database.db, credit),
        close: database.close,
      }
    },
    routes: loanValidationRoutes,
    client: loanValidationClient,
  },
  (validation) => {
    it('hands a valid application down the chain and stores the decision with its trail', async () => {
      const loan = await validation().apply('u-0001', input({ purpose: '  car  ' }))
      expect(loan).toMatchObject({
        userId: 'u-0001',
        amount: 10_000,
        termMonths: 36,
        monthlyIncome: 3_000,
        purpose: 'car',
        decision: 'approved',
        rate: 5.4,
        monthlyPayment: 301.51,
      })
      expect(loan.trail.map((s) => s.step)).toEqual(['validation', 'credit-check', 'approval'])
      expect(loan.trail[0]).toEqual({ step: 'validation', ok: true })
      expect(credit.calls.at(-1)).toMatchObject({
        id: loan.id,
        userId: 'u-0001',
        trail: [{ step: 'validation', ok: true }],
      })
      expect(await validation().loan(loan.id)).toEqual(loan)
    })

    it('stores a rejection without rate or payment', async () => {
      const loan = await validation().apply('u-0002', input({ monthlyIncome: 2_000 }))
      expect(loan.decision).toBe('rejected')
      expect('rate' in loan).toBe(false)
      expect('monthlyPayment' in loan).toBe(false)
      const again = await validation().loan(loan.id)
      expect(again).toEqual(loan)
    })

    it('refuses an invalid application with a trail ending at validation', async () => {
      const calls = credit.calls.length
      const before = stored()
      const error = await validation()
        .apply('u-0001', input({ amount: 100, termMonths: 3 }))
        .catch((e: unknown) => e)
      expect(isDomainError(error) && error.kind).toBe('rule')
      if (!isDomainError(error)) return
      expect(error.extra.trail).toEqual([
        {
          step: 'validation',
          ok: false,
          reasons: [
            'amount must be between 500 and 100000',
            'termMonths must be a whole number between 6 and 360',
          ],
        },
      ])
      expect(credit.calls.length).toBe(calls)
      expect(stored()).toBe(before)
    })

    it('answers null for an unknown loan', async () => {
      expect(await validation().loan('no-such-loan')).toBeNull()
    })
  },
)

describe('loanValidationRoutes', () => {
  let database: Database
  let app: ReturnType<typeof testApp>
  const tokenOf = (id: string, role: 'customer' | 'admin' = 'customer') =>
    testTokens.issue({ id, email: `${id}@twinstack.dev`, role })
  beforeEach(async () => {
    database = await memoryDatabase(loanValidation)
    app = testApp(loanValidationRoutes(new LoanValidationService(database.db, stubCreditCheck())))
  })
  afterEach(() => database.close())

  const apply = async (body: string, token?: string, contentType = 'application/json') =>
    app.request('/api/loans', {
      method: 'POST',
      headers: {
        'Content-Type': contentType,
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body,
    })
  const get = async (path: string, token?: string) =>
    app.request(path, token ? { headers: { Authorization: `Bearer ${token}` } } : {})
  const stored = () => database.db.select({ n: count() }).from(loans).get()?.n ?? 0

  it('POST /api/loans answers 201 with the decision and the trail', async () => {
    const res = await apply(JSON.stringify(input()), await tokenOf('u-0005'))
    expect(res.status).toBe(201)
    const loan = (await res.json()) as Record<string, unknown>
    expect(loan).toMatchObject({ userId: 'u-0005', decision: 'approved', rate: 5.4 })
    expect(typeof loan.id).toBe('string')
    expect(typeof loan.createdAt).toBe('string')
  })

  it('POST /api/loans answers 401 without a token', async () => {
    await expectProblem(await apply(JSON.stringify(input())), 401)
  })

  it('POST /api/loans refuses malformed, mistyped, incomplete and huge input with 400', async () => {
    const token = await tokenOf('u-0005')
    const { purpose: _p, ...noPurpose } = input()
    for (const body of [
      '{"amount": 1000,',
      '',
      'null',
      '42',
      '[]',
      JSON.stringify({}),
      JSON.stringify(noPurpose),
      JSON.stringify({ ...input(), amount: '10000' }),
      JSON.stringify({ ...input(), termMonths: '36' }),
      JSON.stringify({ ...input(), termMonths: 36.5 }),
      JSON.stringify({ ...input(), monthlyIncome: null }),
      JSON.stringify({ ...input(), purpose: 7 }),
      JSON.stringify({ ...input(), purpose: '   ' }),
      JSON.stringify({ ...input(), purpose: 'x'.repeat(201) }),
      JSON.stringify({ ...input(), amount: 1e13 }),
      JSON.stringify({ ...input(), termMonths: 1e6 }),
      JSON.stringify({ ...input(), monthlyIncome: -1 }),
      JSON.stringify({ ...input(), amount: 0 }),
      '{"amount": 1e400, "termMonths": 36, "monthlyIncome": 3000, "purpose": "car"}',
    ]) {
      await expectProblem(await apply(body, token), 400)
    }
    await expectProblem(await apply('amount=1', token, 'application/x-www-form-urlencoded'), 400)
    await expectProblem(await apply(JSON.stringify({ pad: 'x'.repeat(1_100_000) }), token), 413)
    expect(stored()).toBe(0)
  })

  it('POST /api/loans refuses a business-invalid application with 422 and the trail', async () => {
    const token = await tokenOf('u-0005')
    const body = await expectProblem(
      await apply(JSON.stringify(input({ amount: 90_000, monthlyIncome: 1_000 })), token),
      422,
    )
    expect(body.trail).toEqual([
      {
        step: 'validation',
        ok: false,
        reasons: ['amount must not exceed 60 times the monthly income'],
      },
    ])
    for (const bad of [
      input({ amount: 499 }),
      input({ amount: 100_001, monthlyIncome: 10_000 }),
      input({ termMonths: 5 }),
      input({ termMonths: 361 }),
      input({ monthlyIncome: 0 }),
      input({ amount: 1000.001 }),
    ]) {
      const problem = await expectProblem(await apply(JSON.stringify(bad), token), 422)
      expect((problem.trail as { step: string; ok: boolean }[]).at(-1)).toMatchObject({
        step: 'validation',
        ok: false,
      })
    }
    expect(stored()).toBe(0)
  })

  it('GET /api/loans/:id shows a loan to its owner and to an admin only', async () => {
    const owner = await tokenOf('u-0005')
    const created = (await (await apply(JSON.stringify(input()), owner)).json()) as {
      id: string
    }
    const mine = await get(`/api/loans/${created.id}`, owner)
    expect(mine.status).toBe(200)
    expect(await mine.json()).toMatchObject({ id: created.id, userId: 'u-0005' })
    expect((await get(`/api/loans/${created.id}`, await tokenOf('u-admin', 'admin'))).status).toBe(
      200,
    )
    await expectProblem(await get(`/api/loans/${created.id}`, await tokenOf('u-0006')), 403)
    await expectProblem(await get(`/api/loans/${created.id}`), 401)
  })

  it('GET /api/loans/:id answers 404 for an unknown id and 400 for an absurd one', async () => {
    const token = await tokenOf('u-0005')
    await expectProblem(await get('/api/loans/no-such-loan', token), 404)
    await expectProblem(await get(`/api/loans/${'x'.repeat(65)}`, token), 400)
  })

  it('internal routes apply for a named user and read any loan', async () => {
    const res = await app.request('/internal/loan-validation/applications', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...input(), userId: 'u-0009' }),
    })
    expect(res.status).toBe(201)
    const { id } = (await res.json()) as { id: string }
    const loan = await app.request(`/internal/loan-validation/loans/${id}`)
    expect(await loan.json()).toMatchObject({ id, userId: 'u-0009' })
    await expectProblem(await app.request('/internal/loan-validation/loans/nope'), 404)
  })

  it('internal apply refuses a missing user and bad input with 400', async () => {
    for (const body of [
      JSON.stringify(input()),
      JSON.stringify({ ...input(), userId: '' }),
      JSON.stringify({ ...input(), userId: 'u-1', amount: 'much' }),
      '{',
    ]) {
      await expectProblem(
        await app.request('/internal/loan-validation/applications', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
        }),
        400,
      )
    }
  })
})
