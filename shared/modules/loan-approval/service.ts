import type { Application, Decision, LoanApproval, TrailStep } from '../../contracts/loans.ts'
import { DomainError } from '../../domain/errors.ts'
import { decideLoan } from '../../domain/loan.ts'

// LoanApprovalService is the last link of the loan chain: it reads the score the credit check
// left in the trail, decides, prices an approved loan and sends the whole trail back
export class LoanApprovalService implements LoanApproval {
  async decide(application: Application): Promise<Decision> {
    const score = scoreOf(application.trail)
    if (score === null) {
      // approval is only ever asked after a credit check: without one the chain is miswired
      throw new DomainError('invalid', 'the application carries no credit-check score')
    }
    const verdict = decideLoan(score, application)
    if (verdict.approved) {
      const { rate, monthlyPayment } = verdict
      const step: TrailStep = { step: 'approval', ok: true, score, rate, monthlyPayment }
      return { decision: 'approved', rate, monthlyPayment, trail: [...application.trail, step] }
    }
    const { approved: _a, ...why } = verdict
    const step: TrailStep = { step: 'approval', ok: false, score, ...why }
    return { decision: 'rejected', trail: [...application.trail, step] }
  }
}

// scoreOf finds the score of the latest credit-check step of a trail
function scoreOf(trail: TrailStep[]): number | null {
  const check = trail.findLast((s) => s.step === 'credit-check')
  return typeof check?.score === 'number' ? check.score : null
}
