import { describe, expect, it } from 'bun:test'
import type { Application, LoanApproval } from '../../contracts/loans.ts'
import { isDomainError } from '../../domain/errors.ts'
import { testApp, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import { LoanApprovalService, loanApprovalClient, loanApprovalRoutes } from './index.ts'

const scored = (score: number, over: Partial<Application> = {}): Application => ({
  id: 'loan-1',
  userId: 'u-0001',
  amount: 10_000,
  termMonths: 36,
  monthlyIncome: 3_000,
  purpose: 'car',
  trail: [
    { step: 'validation', ok: true },
    { step: 'credit-check', ok: true, score, profile: 'bureau' },
  ],
  ...over,
})

threeWays<LoanApproval>(
  'LoanApproval',
  {
    service: async () => ({ service: new LoanApprovalService() }),
    routes: loanApprovalRoutes,
    client: loanApprovalClient,
  },
  (approval) => {
    it('approves a good score with an affordable payment, priced by its band', async () => {
      const decision = await approval().decide(scored(720))
      expect(decision).toEqual({
        decision: 'approved',
        rate: 5.4,
        monthlyPayment: 301.51,
        trail: [
          { step: 'validation', ok: true },
          { step: 'credit-check', ok: true, score: 720, profile: 'bureau' },
          { step: 'approval', ok: true, score: 720, rate: 5.4, monthlyPayment: 301.51 },
        ],
      })
    })

    it('rejects a score below 600 without pricing the loan', async () => {
      const decision = await approval().decide(scored(599))
      expect(decision.decision).toBe('rejected')
      expect(decision.rate).toBeUndefined()
      expect(decision.monthlyPayment).toBeUndefined()
      expect(decision.trail.at(-1)).toEqual({
        step: 'approval',
        ok: false,
        score: 599,
        reasons: ['credit score 599 is below 600'],
      })
    })

    it('rejects a payment above 40 % of the income, saying what it would have been', async () => {
      const decision = await approval().decide(scored(800, { amount: 30_000, termMonths: 12 }))
      expect(decision.decision).toBe('rejected')
      expect(decision.trail.at(-1)).toMatchObject({
        step: 'approval',
        ok: false,
        rate: 3.9,
        reasons: [expect.stringContaining('exceeds 40 %')],
      })
    })

    it('uses the latest credit-check score of the trail', async () => {
      const application = scored(500)
      application.trail.push({ step: 'credit-check', ok: true, score: 765 })
      expect((await approval().decide(application)).rate).toBe(3.9)
    })

    it('refuses an application that never went through a credit check', async () => {
      const error = await approval()
        .decide(scored(700, { trail: [{ step: 'validation', ok: true }] }))
        .catch((e: unknown) => e)
      expect(isDomainError(error) && error.kind).toBe('invalid')
    })
  },
)

describe('loanApprovalRoutes', () => {
  const app = testApp(loanApprovalRoutes(new LoanApprovalService()))
  const post = (body: string, contentType = 'application/json') =>
    app.request('/internal/loan-approval/decide', {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
    })

  it('POST /internal/loan-approval/decide answers a decision', async () => {
    const res = await post(JSON.stringify(scored(700)))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ decision: 'approved', rate: 5.4 })
  })

  it('refuses malformed JSON, wrong types, missing fields and huge values with 400', async () => {
    const { trail: _t, ...noTrail } = scored(700)
    for (const body of [
      '{"amount":',
      'null',
      '[]',
      JSON.stringify({ ...scored(700), amount: '10000' }),
      JSON.stringify({ ...scored(700), termMonths: 12.5 }),
      JSON.stringify({ ...scored(700), amount: 1e13 }),
      JSON.stringify({ ...scored(700), purpose: 'x'.repeat(201) }),
      JSON.stringify({ ...scored(700), trail: [{ step: 'guess', ok: true }] }),
      JSON.stringify(noTrail),
      JSON.stringify({ ...scored(700), trail: [{ step: 'validation', ok: true }] }),
    ]) {
      await expectProblem(await post(body), 400)
    }
  })

  it('refuses a body that is not JSON with 400', async () => {
    await expectProblem(await post('amount=1', 'application/x-www-form-urlencoded'), 400)
  })

  it('refuses a body over the size limit with 413', async () => {
    await expectProblem(await post(JSON.stringify({ pad: 'x'.repeat(1_100_000) })), 413)
  })
})
