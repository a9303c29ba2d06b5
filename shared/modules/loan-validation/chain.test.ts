import { afterEach, beforeEach, describe, expect, it } from 'bun:test'
import type { CreditCheck, Loan, LoanValidation } from '../../contracts/loans.ts'
import { isDomainError } from '../../domain/errors.ts'
import { type Database, write } from '../../platform/db/index.ts'
import type { Fetch } from '../../platform/http/remote.ts'
import { appFetch, memoryDatabase, testApp, testTokens } from '../../testing/harness.ts'
import {
  CreditCheckService,
  creditCheck,
  creditCheckClient,
  creditCheckRoutes,
} from '../credit-check/index.ts'
import { creditProfiles } from '../credit-check/schema.ts'
import {
  LoanApprovalService,
  loanApprovalClient,
  loanApprovalRoutes,
} from '../loan-approval/index.ts'
import {
  LoanValidationService,
  loanValidation,
  loanValidationClient,
  loanValidationRoutes,
} from './index.ts'

// The loan chain end to end: validation → credit check → approval, then the decision and the
// trail travel back up. Once with every link in-process, once with every hop over HTTP.

const addProfile = (db: Database['db'], userId: string, score: number) =>
  write(db, (tx) => {
    tx.insert(creditProfiles)
      .values({
        userId,
        score,
        existingDebtMonthly: 0,
        missedPayments: 0,
        historyYears: 0,
        updatedAt: '2025-01-01T00:00:00.000Z',
      })
      .run()
  })

const application = { amount: 10_000, termMonths: 36, monthlyIncome: 3_000, purpose: 'car' }

interface Chain {
  validation: LoanValidation
  // hops counts the requests each link received over HTTP (empty in-process)
  hops: string[]
  // api answers public requests of the first link
  api: ReturnType<typeof testApp>
}

const ways: [string, (db: Database['db']) => Chain][] = [
  [
    'in-process',
    (db) => {
      const validation = new LoanValidationService(
        db,
        new CreditCheckService(db, new LoanApprovalService()),
      )
      return { validation, hops: [], api: testApp(loanValidationRoutes(validation)) }
    },
  ],
  [
    'over HTTP',
    (db) => {
      const hops: string[] = []
      const counted =
        (name: string, f: Fetch): Fetch =>
        (input, init) => {
          hops.push(name)
          return f(input, init)
        }
      const approvalApp = testApp(loanApprovalRoutes(new LoanApprovalService()))
      const creditApp = testApp(
        creditCheckRoutes(
          new CreditCheckService(
            db,
            loanApprovalClient('http://approval', counted('approval', appFetch(approvalApp))),
          ),
        ),
      )
      const credit: CreditCheck = creditCheckClient(
        'http://credit',
        counted('credit-check', appFetch(creditApp)),
      )
      const validationApp = testApp(loanValidationRoutes(new LoanValidationService(db, credit)))
      return {
        validation: loanValidationClient(
          'http://validation',
          counted('validation', appFetch(validationApp)),
        ),
        hops,
        api: validationApp,
      }
    },
  ],
]

for (const [way, build] of ways) {
  describe(`Loan chain (${way})`, () => {
    let database: Database
    let chain: Chain
    beforeEach(async () => {
      database = await memoryDatabase(loanValidation, creditCheck)
      addProfile(database.db, 'u-prime', 780)
      addProfile(database.db, 'u-fair', 560)
      addProfile(database.db, 'u-poor', 400)
      chain = build(database.db)
    })
    afterEach(() => database.close())

    it('approves through every link and brings the trail back in order', async () => {
      const loan = await chain.validation.apply('u-prime', application)
      expect(loan).toMatchObject({ decision: 'approved', rate: 3.9, monthlyPayment: 294.8 })
      expect(loan.trail).toEqual([
        { step: 'validation', ok: true },
        {
          step: 'credit-check',
          ok: true,
          score: 780,
          profile: 'bureau',
          existingDebtMonthly: 0,
          missedPayments: 0,
        },
        { step: 'approval', ok: true, score: 780, rate: 3.9, monthlyPayment: 294.8 },
      ])
      expect(await chain.validation.loan(loan.id)).toEqual(loan)
      if (way === 'over HTTP') {
        expect(chain.hops).toEqual(['validation', 'credit-check', 'approval', 'validation'])
      }
    })

    it('lets approval reject a score below 600, with all three steps in the trail', async () => {
      const loan = await chain.validation.apply('u-fair', application)
      expect(loan.decision).toBe('rejected')
      expect(loan.trail.map((s) => [s.step, s.ok])).toEqual([
        ['validation', true],
        ['credit-check', true],
        ['approval', false],
      ])
    })

    it('stops at the credit check below its hard floor', async () => {
      const loan = await chain.validation.apply('u-poor', application)
      expect(loan.decision).toBe('rejected')
      expect(loan.trail.map((s) => [s.step, s.ok])).toEqual([
        ['validation', true],
        ['credit-check', false],
      ])
      if (way === 'over HTTP') expect(chain.hops).toEqual(['validation', 'credit-check'])
    })

    it('scores an applicant the bureau does not know with the default profile', async () => {
      const loan = await chain.validation.apply('u-newcomer', application)
      expect(loan).toMatchObject({ decision: 'approved', rate: 9.8 })
      expect(loan.trail[1]).toMatchObject({ score: 640, profile: 'default' })
    })

    it('refuses an invalid application before the chain, the trail surviving the trip', async () => {
      const error = await chain.validation
        .apply('u-prime', { ...application, monthlyIncome: 0 })
        .catch((e: unknown) => e)
      expect(isDomainError(error) && error.kind).toBe('rule')
      if (isDomainError(error)) {
        expect(error.extra.trail).toEqual([
          { step: 'validation', ok: false, reasons: ['monthlyIncome must be more than 0'] },
        ])
      }
      if (way === 'over HTTP') expect(chain.hops).toEqual(['validation'])
    })

    it('POST /api/loans answers 201 with the three steps', async () => {
      const token = await testTokens.issue({
        id: 'u-prime',
        email: 'prime@twinstack.dev',
        role: 'customer',
      })
      const res = await chain.api.request('/api/loans', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(application),
      })
      expect(res.status).toBe(201)
      const loan = (await res.json()) as Loan
      expect(loan.trail.map((s) => s.step)).toEqual(['validation', 'credit-check', 'approval'])
      expect(loan.trail[1]?.score).toBe(780)
    })
  })
}
