import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// creditProfiles is what the credit bureau knows of each customer
export const creditProfiles = sqliteTable('credit_profiles', {
  userId: text('user_id').primaryKey(),
  // bureau score before an application's income is taken into account
  score: integer('score').notNull(),
  existingDebtMonthly: integer('existing_debt_monthly').notNull(),
  missedPayments: integer('missed_payments').notNull(),
  historyYears: integer('history_years').notNull(),
  updatedAt: text('updated_at').notNull(),
})
