import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import type {
  Application,
  CreditCheck,
  Loan,
  LoanApplicationInput,
  LoanValidation,
  TrailStep,
} from '../../contracts/loans.ts'
import { refused } from '../../domain/errors.ts'
import { validationReasons } from '../../domain/loan.ts'
import { type Db, nowIso, write } from '../../platform/db/index.ts'
import { loans } from './schema.ts'

// the statements of one database, prepared once
const statements = (db: Db) => ({
  byId: db
    .select()
    .from(loans)
    .where(eq(loans.id, sql.placeholder('id')))
    .prepare(),
})

// LoanValidationService is the first link of the loan chain: it checks an application against
// the loan rules, hands a valid one to the credit check, and stores the decision with the
// trail that came back. An invalid application is refused (422) with a trail ending at
// validation; nothing is stored and the chain is not called.
export class LoanValidationService implements LoanValidation {
  private readonly q: ReturnType<typeof statements>

  constructor(
    private readonly db: Db,
    private readonly creditCheck: CreditCheck,
  ) {
    this.q = statements(db)
  }

  async apply(userId: string, input: LoanApplicationInput): Promise<Loan> {
    const reasons = validationReasons(input)
    if (reasons.length > 0) {
      const step: TrailStep = { step: 'validation', ok: false, reasons }
      throw refused('the loan application breaks the loan rules', { reasons, trail: [step] })
    }
    const application: Application = {
      id: randomUUID(),
      userId,
      amount: input.amount,
      termMonths: input.termMonths,
      monthlyIncome: input.monthlyIncome,
      purpose: input.purpose.trim(),
      trail: [{ step: 'validation', ok: true }],
    }
    const decision = await this.creditCheck.assess(application)
    const loan: Loan = {
      id: application.id,
      userId,
      amount: application.amount,
      termMonths: application.termMonths,
      monthlyIncome: application.monthlyIncome,
      purpose: application.purpose,
      decision: decision.decision,
      ...(decision.decision === 'approved'
        ? { rate: decision.rate, monthlyPayment: decision.monthlyPayment }
        : {}),
      trail: decision.trail,
      createdAt: nowIso(),
    }
    write(this.db, (tx) => {
      tx.insert(loans)
        .values({ ...loan, rate: loan.rate ?? null, monthlyPayment: loan.monthlyPayment ?? null })
        .run()
    })
    return loan
  }

  async loan(id: string): Promise<Loan | null> {
    const row = this.q.byId.get({ id })
    if (!row) return null
    const { rate, monthlyPayment, ...rest } = row
    return {
      ...rest,
      ...(rate === null ? {} : { rate }),
      ...(monthlyPayment === null ? {} : { monthlyPayment }),
    }
  }
}
