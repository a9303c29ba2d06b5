import { eq, sql } from 'drizzle-orm'
import type {
  Application,
  CreditCheck,
  Decision,
  LoanApproval,
  TrailStep,
} from '../../contracts/loans.ts'
import { type CreditProfile, creditScore, DEFAULT_PROFILE, LOAN_RULES } from '../../domain/loan.ts'
import type { Db } from '../../platform/db/index.ts'
import { creditProfiles } from './schema.ts'

// the statements of one database, prepared once
const statements = (db: Db) => ({
  profile: db
    .select()
    .from(creditProfiles)
    .where(eq(creditProfiles.userId, sql.placeholder('userId')))
    .prepare(),
})

// CreditCheckService is the middle link of the loan chain: it scores the applicant from the
// bureau's profile (a default one for unknown applicants), adds its step to the trail and
// hands on to approval. Below the hard floor (LOAN_RULES.hardFloorScore) it rejects on its own,
// so approval is never asked about an applicant no band could price; the trail then ends here.
export class CreditCheckService implements CreditCheck {
  private readonly q: ReturnType<typeof statements>

  constructor(
    db: Db,
    private readonly approval: LoanApproval,
  ) {
    this.q = statements(db)
  }

  async assess(application: Application): Promise<Decision> {
    const { profile, source } = this.profile(application.userId)
    const score = creditScore(profile, application.monthlyIncome)
    const base = {
      step: 'credit-check' as const,
      score,
      profile: source,
      existingDebtMonthly: profile.existingDebtMonthly,
      missedPayments: profile.missedPayments,
    }
    if (score < LOAN_RULES.hardFloorScore) {
      const step: TrailStep = {
        ...base,
        ok: false,
        reasons: [`credit score ${score} is below the floor of ${LOAN_RULES.hardFloorScore}`],
      }
      return { decision: 'rejected', trail: [...application.trail, step] }
    }
    const step: TrailStep = { ...base, ok: true }
    return this.approval.decide({ ...application, trail: [...application.trail, step] })
  }

  // profile is the bureau's data on a user, or the default profile of an unknown applicant
  profile(userId: string): { profile: CreditProfile; source: 'bureau' | 'default' } {
    const row = this.q.profile.get({ userId })
    if (!row) return { profile: DEFAULT_PROFILE, source: 'default' }
    const { userId: _u, updatedAt: _t, ...profile } = row
    return { profile, source: 'bureau' }
  }
}
