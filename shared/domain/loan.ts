// Loan rules: what makes an application valid, how a credit profile scores, and how a loan is
// decided and priced. Pure functions, shared by the three links of the loan chain.

// LOAN_RULES are the limits of api.md's loan chain, in one place
export const LOAN_RULES = {
  minAmount: 500,
  maxAmount: 100_000,
  minTermMonths: 6,
  maxTermMonths: 360,
  // the amount may not exceed this many monthly incomes
  maxIncomeMultiple: 60,
  purposeMaxLength: 200,
  // below this score the credit check rejects on its own, without asking approval
  hardFloorScore: 450,
  // approval needs at least this score...
  minApprovalScore: 600,
  // ...and a monthly payment of at most this share of the monthly income
  maxPaymentShare: 0.4,
  minScore: 300,
  maxScore: 850,
} as const

// PURPOSES are the purposes the bank knows by name; anything else is free text
export const PURPOSES = [
  'home',
  'car',
  'education',
  'renovation',
  'debt-consolidation',
  'business',
  'medical',
  'travel',
  'other',
] as const

// LoanTerms is what an applicant asks for
export interface LoanTerms {
  amount: number
  termMonths: number
  monthlyIncome: number
  purpose: string
}

// knownPurpose names the known purpose an applicant wrote, or null for free text
export function knownPurpose(purpose: string): (typeof PURPOSES)[number] | null {
  const p = purpose.trim().toLowerCase()
  return PURPOSES.find((known) => known === p) ?? null
}

const hasCents = (n: number) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6

// validationReasons lists every rule an application breaks (empty when it is valid)
export function validationReasons(t: LoanTerms): string[] {
  const r = LOAN_RULES
  const reasons: string[] = []
  if (!Number.isFinite(t.amount) || t.amount < r.minAmount || t.amount > r.maxAmount) {
    reasons.push(`amount must be between ${r.minAmount} and ${r.maxAmount}`)
  } else if (!hasCents(t.amount)) {
    reasons.push('amount must have at most 2 decimals')
  }
  if (
    !Number.isInteger(t.termMonths) ||
    t.termMonths < r.minTermMonths ||
    t.termMonths > r.maxTermMonths
  ) {
    reasons.push(
      `termMonths must be a whole number between ${r.minTermMonths} and ${r.maxTermMonths}`,
    )
  }
  if (!Number.isFinite(t.monthlyIncome) || t.monthlyIncome <= 0) {
    reasons.push('monthlyIncome must be more than 0')
  } else if (t.amount > r.maxIncomeMultiple * t.monthlyIncome) {
    reasons.push(`amount must not exceed ${r.maxIncomeMultiple} times the monthly income`)
  }
  const purpose = typeof t.purpose === 'string' ? t.purpose.trim() : ''
  if (purpose.length === 0 || purpose.length > r.purposeMaxLength) {
    reasons.push(
      `purpose must be one of ${PURPOSES.join(', ')} or a description of at most ${r.purposeMaxLength} characters`,
    )
  }
  return reasons
}

// CreditProfile is what the bureau knows of an applicant
export interface CreditProfile {
  // bureau score before this application is taken into account
  score: number
  existingDebtMonthly: number
  missedPayments: number
  historyYears: number
}

// DEFAULT_PROFILE is assumed for applicants the bureau does not know: an average score, no
// debts and no history
export const DEFAULT_PROFILE: CreditProfile = {
  score: 640,
  existingDebtMonthly: 0,
  missedPayments: 0,
  historyYears: 0,
}

// creditScore scores a profile against the income of this application: each missed payment
// costs 40 points, each year of history (up to 15) adds 2, and existing debts weigh by their
// share of the income; the result is a whole number within 300..850
export function creditScore(profile: CreditProfile, monthlyIncome: number): number {
  const debtShare = monthlyIncome > 0 ? profile.existingDebtMonthly / monthlyIncome : 1
  const debtPenalty = debtShare > 0.5 ? 100 : debtShare > 0.3 ? 50 : debtShare > 0.15 ? 20 : 0
  const raw =
    profile.score -
    40 * profile.missedPayments +
    2 * Math.min(profile.historyYears, 15) -
    debtPenalty
  return Math.round(Math.min(LOAN_RULES.maxScore, Math.max(LOAN_RULES.minScore, raw)))
}

// RATE_BANDS give the yearly interest rate (in %) by the lowest score of each band
export const RATE_BANDS: readonly { minScore: number; rate: number }[] = [
  { minScore: 760, rate: 3.9 },
  { minScore: 700, rate: 5.4 },
  { minScore: 650, rate: 7.2 },
  { minScore: LOAN_RULES.minApprovalScore, rate: 9.8 },
]

// rateFor is the yearly rate (in %) of a score, or null when the score is too low for a loan
export const rateFor = (score: number): number | null =>
  RATE_BANDS.find((b) => score >= b.minScore)?.rate ?? null

// monthlyPayment is the annuity payment of a loan, rounded to cents
export function monthlyPayment(amount: number, yearlyRatePct: number, termMonths: number): number {
  const r = yearlyRatePct / 100 / 12
  const payment = r === 0 ? amount / termMonths : (amount * r) / (1 - (1 + r) ** -termMonths)
  return Math.round(payment * 100) / 100
}

// LoanVerdict is approval's answer: approved with a price, or rejected with reasons
export type LoanVerdict =
  | { approved: true; rate: number; monthlyPayment: number }
  | { approved: false; reasons: string[]; rate?: number; monthlyPayment?: number }

// decideLoan approves when the score reaches 600 and the annuity payment at the score's rate
// stays within 40 % of the monthly income
export function decideLoan(score: number, t: LoanTerms): LoanVerdict {
  const rate = rateFor(score)
  if (rate === null) {
    return {
      approved: false,
      reasons: [`credit score ${score} is below ${LOAN_RULES.minApprovalScore}`],
    }
  }
  const payment = monthlyPayment(t.amount, rate, t.termMonths)
  const limit = Math.round(LOAN_RULES.maxPaymentShare * t.monthlyIncome * 100) / 100
  if (payment > limit) {
    return {
      approved: false,
      reasons: [`monthly payment ${payment} exceeds 40 % of the monthly income (${limit})`],
      rate,
      monthlyPayment: payment,
    }
  }
  return { approved: true, rate, monthlyPayment: payment }
}
