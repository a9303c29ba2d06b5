import { afterEach, beforeEach, describe, expect, it } from 'bun:test'
import type { Application, CreditCheck, LoanApproval } from '../../contracts/loans.ts'
import { creditScore } from '../../domain/loan.ts'
import { ADMIN_ID, SEED_USERS, userId } from '../../domain/prng.ts'
import { type Database, write } from '../../platform/db/index.ts'
import { memoryDatabase, testApp, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import { CreditCheckService, creditCheck, creditCheckClient, creditCheckRoutes } from './index.ts'
import { creditProfiles } from './schema.ts'

// recordingApproval stands in for the next link: it approves everything and remembers calls
function recordingApproval(): LoanApproval & { calls: Application[] } {
  const calls: Application[] = []
  return {
    calls,
    decide: async (application) => {
      calls.push(application)
      return {
        decision: 'approved',
        rate: 1,
        monthlyPayment: 2,
        trail: [...application.trail, { step: 'approval', ok: true, stub: true }],
      }
    },
  }
}

const application = (userId: string, over: Partial<Application> = {}): Application => ({
  id: `loan-${userId}`,
  userId,
  amount: 10_000,
  termMonths: 36,
  monthlyIncome: 3_000,
  purpose: 'car',
  trail: [{ step: 'validation', ok: true }],
  ...over,
})

// addProfile puts a known profile into the bureau for a test user
const addProfile = (db: Database['db'], id: string, score: number, existingDebtMonthly = 0) =>
  write(db, (tx) => {
    tx.insert(creditProfiles)
      .values({
        userId: id,
        score,
        existingDebtMonthly,
        missedPayments: 0,
        historyYears: 0,
        updatedAt: '2025-01-01T00:00:00.000Z',
      })
      .run()
  })

let approval = recordingApproval()

threeWays<CreditCheck>(
  'CreditCheck',
  {
    service: async () => {
      const database = await memoryDatabase(creditCheck)
      addProfile(database.db, 'u-good', 700)
      addProfile(database.db, 'u-indebted', 700, 2_000)
      addProfile(database.db, 'u-poor', 420)
      approval = recordingApproval()
      return { service: new CreditCheckService(database.db, approval), close: database.close }
    },
    routes: creditCheckRoutes,
    client: creditCheckClient,
  },
  (check) => {
    it('scores a known applicant, adds its step and hands on to approval', async () => {
      const decision = await check().assess(application('u-good'))
      expect(decision).toEqual({
        decision: 'approved',
        rate: 1,
        monthlyPayment: 2,
        trail: [
          { step: 'validation', ok: true },
          {
            step: 'credit-check',
            ok: true,
            score: 700,
            profile: 'bureau',
            existingDebtMonthly: 0,
            missedPayments: 0,
          },
          { step: 'approval', ok: true, stub: true },
        ],
      })
      expect(approval.calls.at(-1)?.trail.map((s) => s.step)).toEqual([
        'validation',
        'credit-check',
      ])
    })

    it('weighs existing debts against the income of the application', async () => {
      const decision = await check().assess(application('u-indebted'))
      expect(decision.trail[1]).toMatchObject({ score: 600, existingDebtMonthly: 2_000 })
    })

    it('scores an applicant the bureau does not know with the default profile', async () => {
      const decision = await check().assess(application('u-stranger'))
      expect(decision.trail[1]).toMatchObject({ ok: true, score: 640, profile: 'default' })
    })

    it('rejects below the hard floor on its own, without asking approval', async () => {
      const before = approval.calls.length
      const decision = await check().assess(application('u-poor'))
      expect(decision).toEqual({
        decision: 'rejected',
        trail: [
          { step: 'validation', ok: true },
          {
            step: 'credit-check',
            ok: false,
            score: 420,
            profile: 'bureau',
            existingDebtMonthly: 0,
            missedPayments: 0,
            reasons: ['credit score 420 is below the floor of 450'],
          },
        ],
      })
      expect(approval.calls.length).toBe(before)
    })
  },
)

describe('seedCreditCheck', () => {
  let a: Database
  let b: Database
  beforeEach(async () => {
    a = await memoryDatabase(creditCheck)
    b = await memoryDatabase(creditCheck)
  })
  afterEach(() => {
    a.close()
    b.close()
  })

  it('gives every seeded user and the admin the same profile on every seed', async () => {
    const rows = a.db.select().from(creditProfiles).all()
    expect(rows).toHaveLength(SEED_USERS + 1)
    expect(rows.map((r) => r.userId)).toContain(ADMIN_ID)
    expect(rows.map((r) => r.userId)).toContain(userId(SEED_USERS))
    expect(b.db.select().from(creditProfiles).all()).toEqual(rows)
  })

  it('seeds only an empty table', async () => {
    await creditCheck.seed?.(a.db)
    expect(a.db.select().from(creditProfiles).all()).toHaveLength(SEED_USERS + 1)
  })

  it('seeds a mix of applicants: some priced in every band, some below the floor', () => {
    const svc = new CreditCheckService(a.db, recordingApproval())
    const scores = a.db
      .select()
      .from(creditProfiles)
      .all()
      .map((r) => creditScore(svc.profile(r.userId).profile, 3_000))
    expect(scores.some((s) => s >= 760)).toBe(true)
    expect(scores.some((s) => s >= 600 && s < 650)).toBe(true)
    expect(scores.some((s) => s < 600)).toBe(true)
    expect(scores.some((s) => s < 450)).toBe(true)
  })
})

describe('creditCheckRoutes', () => {
  let database: Database
  let app: ReturnType<typeof testApp>
  beforeEach(async () => {
    database = await memoryDatabase(creditCheck)
    app = testApp(creditCheckRoutes(new CreditCheckService(database.db, recordingApproval())))
  })
  afterEach(() => database.close())

  const post = (body: string) =>
    app.request('/internal/credit-check/assess', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    })

  it('POST /internal/credit-check/assess answers the decision of the chain', async () => {
    const res = await post(JSON.stringify(application(userId(1))))
    expect(res.status).toBe(200)
    const body = (await res.json()) as { trail: { step: string }[] }
    expect(body.trail.map((s) => s.step)).toEqual(['validation', 'credit-check', 'approval'])
  })

  it('refuses malformed JSON, wrong types, missing fields and huge values with 400', async () => {
    const { userId: _u, ...noUser } = application('u-good')
    for (const body of [
      '{',
      '"just a string"',
      JSON.stringify(noUser),
      JSON.stringify({ ...application('u-good'), monthlyIncome: 'lots' }),
      JSON.stringify({ ...application('u-good'), amount: -5 }),
      JSON.stringify({ ...application('u-good'), monthlyIncome: 1e13 }),
      JSON.stringify({ ...application('u-good'), trail: 'none' }),
      JSON.stringify({ ...application('u-good'), trail: [{ step: 'validation' }] }),
    ]) {
      await expectProblem(await post(body), 400)
    }
  })
})
