import { describe, expect, it } from 'bun:test'
import {
  creditScore,
  DEFAULT_PROFILE,
  decideLoan,
  knownPurpose,
  type LoanTerms,
  monthlyPayment,
  rateFor,
  validationReasons,
} from './loan.ts'

const terms = (over: Partial<LoanTerms> = {}): LoanTerms => ({
  amount: 10_000,
  termMonths: 36,
  monthlyIncome: 3_000,
  purpose: 'car',
  ...over,
})

describe('validationReasons', () => {
  it('accepts an ordinary application', () => {
    expect(validationReasons(terms())).toEqual([])
  })

  it('accepts the edges of every range', () => {
    expect(validationReasons(terms({ amount: 500, termMonths: 6 }))).toEqual([])
    expect(
      validationReasons(terms({ amount: 100_000, termMonths: 360, monthlyIncome: 2_000 })),
    ).toEqual([])
  })

  it('refuses amounts and terms outside their ranges', () => {
    expect(validationReasons(terms({ amount: 499.99 }))).toEqual([
      'amount must be between 500 and 100000',
    ])
    expect(validationReasons(terms({ amount: 100_000.01, monthlyIncome: 5_000 }))).toHaveLength(1)
    expect(validationReasons(terms({ termMonths: 5 }))).toEqual([
      'termMonths must be a whole number between 6 and 360',
    ])
    expect(validationReasons(terms({ termMonths: 361 }))).toHaveLength(1)
    expect(validationReasons(terms({ termMonths: 12.5 }))).toHaveLength(1)
  })

  it('refuses fractions of a cent', () => {
    expect(validationReasons(terms({ amount: 1000.005 }))).toEqual([
      'amount must have at most 2 decimals',
    ])
  })

  it('refuses no income and an amount above 60 monthly incomes', () => {
    expect(validationReasons(terms({ monthlyIncome: 0 }))).toEqual([
      'monthlyIncome must be more than 0',
    ])
    expect(validationReasons(terms({ amount: 60_000, monthlyIncome: 1_000 }))).toEqual([])
    expect(validationReasons(terms({ amount: 60_001, monthlyIncome: 1_000 }))).toEqual([
      'amount must not exceed 60 times the monthly income',
    ])
  })

  it('accepts a known purpose or free text up to 200 characters', () => {
    expect(validationReasons(terms({ purpose: 'a new roof for the barn' }))).toEqual([])
    expect(validationReasons(terms({ purpose: 'x'.repeat(200) }))).toEqual([])
    expect(validationReasons(terms({ purpose: 'x'.repeat(201) }))).toHaveLength(1)
    expect(validationReasons(terms({ purpose: '   ' }))).toHaveLength(1)
    expect(knownPurpose(' Car ')).toBe('car')
    expect(knownPurpose('a boat')).toBeNull()
  })

  it('lists every broken rule at once', () => {
    expect(
      validationReasons({ amount: 1, termMonths: 1, monthlyIncome: 0, purpose: '' }),
    ).toHaveLength(4)
  })
})

describe('creditScore', () => {
  it('keeps a clean profile at its bureau score plus its history', () => {
    expect(creditScore(DEFAULT_PROFILE, 3_000)).toBe(640)
    expect(creditScore({ ...DEFAULT_PROFILE, historyYears: 30 }, 3_000)).toBe(670)
  })

  it('takes points off for missed payments and for debts relative to income', () => {
    expect(creditScore({ ...DEFAULT_PROFILE, missedPayments: 2 }, 3_000)).toBe(560)
    expect(creditScore({ ...DEFAULT_PROFILE, existingDebtMonthly: 600 }, 3_000)).toBe(620)
    expect(creditScore({ ...DEFAULT_PROFILE, existingDebtMonthly: 1_000 }, 3_000)).toBe(590)
    expect(creditScore({ ...DEFAULT_PROFILE, existingDebtMonthly: 2_000 }, 3_000)).toBe(540)
  })

  it('stays within 300..850', () => {
    expect(creditScore({ ...DEFAULT_PROFILE, score: 840, historyYears: 15 }, 3_000)).toBe(850)
    expect(creditScore({ ...DEFAULT_PROFILE, score: 350, missedPayments: 9 }, 3_000)).toBe(300)
  })
})

describe('monthlyPayment', () => {
  it('follows the annuity formula, rounded to cents', () => {
    expect(monthlyPayment(10_000, 5.4, 36)).toBe(301.51)
    expect(monthlyPayment(100_000, 3.9, 360)).toBe(471.67)
  })

  it('splits the amount evenly at a zero rate', () => {
    expect(monthlyPayment(1_200, 0, 12)).toBe(100)
  })
})

describe('decideLoan', () => {
  it('prices by score band', () => {
    expect([800, 760, 759, 700, 650, 600, 599].map(rateFor)).toEqual([
      3.9,
      3.9,
      5.4,
      5.4,
      7.2,
      9.8,
      null,
    ])
  })

  it('approves a good score with an affordable payment', () => {
    expect(decideLoan(720, terms())).toEqual({ approved: true, rate: 5.4, monthlyPayment: 301.51 })
  })

  it('rejects a score below 600', () => {
    expect(decideLoan(599, terms())).toEqual({
      approved: false,
      reasons: ['credit score 599 is below 600'],
    })
  })

  it('rejects a payment above 40 % of the income', () => {
    const verdict = decideLoan(720, terms({ amount: 30_000, termMonths: 12, monthlyIncome: 3_000 }))
    expect(verdict.approved).toBe(false)
    expect(verdict).toMatchObject({ rate: 5.4, monthlyPayment: 2573.73 })
  })
})
