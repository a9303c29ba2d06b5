import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// TrailRow is one step of a loan's trail as stored (the contract's TrailStep)
export type TrailRow = { step: 'validation' | 'credit-check' | 'approval'; ok: boolean } & Record<
  string,
  unknown
>

// loans are the applications that passed validation, with the chain's decision and trail
export const loans = sqliteTable(
  'loans_loans',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    amount: real('amount').notNull(),
    termMonths: integer('term_months').notNull(),
    monthlyIncome: real('monthly_income').notNull(),
    purpose: text('purpose').notNull(),
    decision: text('decision').$type<'approved' | 'rejected'>().notNull(),
    rate: real('rate'),
    monthlyPayment: real('monthly_payment'),
    trail: text('trail', { mode: 'json' }).$type<TrailRow[]>().notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('loans_loans_user').on(t.userId)],
)
