import { sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// users are the people who can sign in; email is stored lowercased so uniqueness ignores case
export const users = sqliteTable(
  'users_users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['customer', 'admin'] }).notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('users_users_email').on(t.email)],
)
