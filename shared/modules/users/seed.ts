import { count } from 'drizzle-orm'
import { ADMIN_ID, SEED_USERS, userId } from '../../domain/prng.ts'
import { type Db, write } from '../../platform/db/index.ts'
import { users } from './schema.ts'
import { hashPassword } from './service.ts'

// SEED_CREATED_AT is the fixed creation time of every seeded user, so seed data is reproducible
const SEED_CREATED_AT = '2024-01-01T00:00:00.000Z'

// seedUsers creates the demo customers and the admin of api.md when the table is empty
export async function seedUsers(db: Db): Promise<void> {
  if ((db.select({ n: count() }).from(users).get()?.n ?? 0) > 0) return
  // argon2id is deliberately slow: each distinct password is hashed ONCE and the hash reused
  // for every user that shares it, so a first start stays fast (the salt is shared too, which
  // is acceptable for public demo passwords only)
  const [demoHash, adminHash] = await Promise.all([
    hashPassword('demo-password'),
    hashPassword('admin-password'),
  ])
  const customers = Array.from({ length: SEED_USERS }, (_, i) => ({
    id: userId(i + 1),
    email: `demo${i + 1}@twinstack.dev`,
    name: `Demo User ${i + 1}`,
    passwordHash: demoHash,
    role: 'customer' as 'customer' | 'admin',
    createdAt: SEED_CREATED_AT,
  }))
  const admin = {
    id: ADMIN_ID,
    email: 'admin@twinstack.dev',
    name: 'Admin',
    passwordHash: adminHash,
    role: 'admin' as const,
    createdAt: SEED_CREATED_AT,
  }
  const rows = [...customers, admin]
  write(db, (tx) => {
    // a concurrent first start may have seeded meanwhile; the check inside the lock decides
    if ((tx.select({ n: count() }).from(users).get()?.n ?? 0) > 0) return
    tx.insert(users).values(rows).run()
  })
}
