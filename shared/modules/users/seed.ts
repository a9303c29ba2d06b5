import { randomBytes } from 'node:crypto'
import { and, count, eq, like } from 'drizzle-orm'
import { ADMIN_ID, SEED_USERS, userId } from '../../domain/prng.ts'
import { type Db, write } from '../../platform/db/index.ts'
import type { SeedContext } from '../../platform/module.ts'
import { hashPassword, needsRehash, verifyPassword } from '../../platform/password.ts'
import { users } from './schema.ts'

// DEMO is the documented demo credentials of api.md (usable only when the deployment says so)
const DEMO: SeedContext = { adminPassword: 'admin-password', demoLogins: true }
const DEMO_PASSWORD = 'demo-password'

// unusable is a hash of a password nobody knows: the account exists, nobody can log in as it
const unusable = () => hashPassword(randomBytes(24).toString('base64url'))

// SEED_CREATED_AT is the fixed creation time of every seeded user, so seed data is reproducible
const SEED_CREATED_AT = '2024-01-01T00:00:00.000Z'

// seedUsers creates the demo customers and the admin of api.md when the table is empty
export async function seedUsers(db: Db, ctx: SeedContext = DEMO): Promise<void> {
  if ((db.select({ n: count() }).from(users).get()?.n ?? 0) > 0) {
    // password checks cost real time at every start: only when the logins may have changed
    return ctx.sync === false ? undefined : syncLogins(db, ctx)
  }
  // scrypt is deliberately slow: each distinct password is hashed ONCE and the hash reused
  // for every user that shares it, so a first start stays fast (the salt is shared too, which
  // is acceptable for public demo passwords only)
  const [demoHash, adminHash] = await Promise.all([
    ctx.demoLogins ? hashPassword(DEMO_PASSWORD) : unusable(),
    hashPassword(ctx.adminPassword),
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

// syncLogins keeps the seeded logins of an existing database in line with how this start is
// configured: the admin's password is the configured one (TWINSTACK_ADMIN_PASSWORD, the
// generated one, or the demo one), and the demo customers log in only in demo mode
async function syncLogins(db: Db, ctx: SeedContext): Promise<void> {
  const hashOf = (id: string) =>
    db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, id)).get()?.hash
  const admin = hashOf(ADMIN_ID)
  const demo = hashOf(userId(1))
  // both checks at once (scrypt runs off the main thread); a hash this runtime cannot check
  // (argon2 under Node) counts as not matching, so it is replaced by the configured login
  const matches = (password: string, hash: string) =>
    verifyPassword(password, hash).catch(() => false)
  const [adminOk, demoWorks] = await Promise.all([
    admin ? matches(ctx.adminPassword, admin) : true,
    demo ? matches(DEMO_PASSWORD, demo) : ctx.demoLogins,
  ])
  // an older kind of hash (argon2) is replaced while the password is at hand
  if (!adminOk || (admin && needsRehash(admin))) {
    const hash = await hashPassword(ctx.adminPassword)
    write(db, (tx) => {
      tx.update(users).set({ passwordHash: hash }).where(eq(users.id, ADMIN_ID)).run()
    })
  }
  if (demoWorks === ctx.demoLogins && !(demo && demoWorks && needsRehash(demo))) return
  const hash = ctx.demoLogins ? await hashPassword(DEMO_PASSWORD) : await unusable()
  const seeded = and(like(users.email, 'demo%@twinstack.dev'), eq(users.createdAt, SEED_CREATED_AT))
  write(db, (tx) => {
    tx.update(users).set({ passwordHash: hash }).where(seeded).run()
  })
}
