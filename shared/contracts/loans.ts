import { z } from 'zod'
import { contract } from './contract.ts'

export const LoanApplicationInput = z.object({
  amount: z.number().positive().max(1e12),
  termMonths: z.number().int().min(1).max(1200),
  monthlyIncome: z.number().min(0).max(1e12),
  purpose: z.string().trim().min(1).max(200),
})
export const TrailStepSchema = z
  .object({ step: z.enum(['validation', 'credit-check', 'approval']), ok: z.boolean() })
  .catchall(z.unknown())
export const LoanSchema = z.object({
  id: z.string(),
  userId: z.string(),
  amount: z.number(),
  termMonths: z.number().int(),
  monthlyIncome: z.number(),
  purpose: z.string(),
  decision: z.enum(['approved', 'rejected']),
  rate: z.number().optional(),
  monthlyPayment: z.number().optional(),
  trail: z.array(TrailStepSchema),
  createdAt: z.string(),
})
export type LoanApplicationInput = z.infer<typeof LoanApplicationInput>
export type TrailStep = z.infer<typeof TrailStepSchema>
export type Loan = z.infer<typeof LoanSchema>

// Application is what travels down the chain: the input plus who applies and the trail so far
export const ApplicationSchema = LoanApplicationInput.extend({
  id: z.string(),
  userId: z.string(),
  trail: z.array(TrailStepSchema),
})
export type Application = z.infer<typeof ApplicationSchema>

// Decision is what travels back up the chain
export const DecisionSchema = z.object({
  decision: z.enum(['approved', 'rejected']),
  rate: z.number().optional(),
  monthlyPayment: z.number().optional(),
  trail: z.array(TrailStepSchema),
})
export type Decision = z.infer<typeof DecisionSchema>

// LoanValidation is the first link: checks the application, hands it on, stores the outcome
export interface LoanValidation {
  apply(userId: string, input: LoanApplicationInput): Promise<Loan>
  loan(id: string): Promise<Loan | null>
}

// CreditCheck is the second link: scores the applicant and hands on to approval
export interface CreditCheck {
  assess(application: Application): Promise<Decision>
}

// LoanApproval is the last link: decides, prices the loan and returns the trail
export interface LoanApproval {
  decide(application: Application): Promise<Decision>
}

// loanValidationContract is the LoanValidation interface as a neighbour asks for it (module loan-validation)
export const loanValidationContract = contract<LoanValidation>('loan-validation')

// creditCheckContract is the CreditCheck interface as a neighbour asks for it (module credit-check)
export const creditCheckContract = contract<CreditCheck>('credit-check')

// loanApprovalContract is the LoanApproval interface as a neighbour asks for it (module loan-approval)
export const loanApprovalContract = contract<LoanApproval>('loan-approval')
