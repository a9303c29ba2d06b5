import { afterAll, describe, expect, it } from 'bun:test'
import { eq, ne } from 'drizzle-orm'
import { ADMIN_ID } from '../../domain/prng.ts'
import { type Database, migrate } from '../../platform/db/index.ts'
import { memoryDatabase, testTokens } from '../../testing/harness.ts'
import { UsersService, users } from './index.ts'
import { users as usersTable } from './schema.ts'
import { seedUsers } from './seed.ts'

const opened: Database[] = []
afterAll(() => {
  for (const d of opened) d.close()
})

const canLogin = (svc: UsersService, email: string, password: string) =>
  svc.login({ email, password }).then(
    () => true,
    () => false,
  )

describe('seedUsers', () => {
  it('seeds the admin with the configured password and no demo logins outside demo mode', async () => {
    // migrated but empty: this seed is the first
    const database = await memoryDatabase()
    opened.push(database)
    if (users.migrations) migrate(database.db, users.migrations)
    await seedUsers(database.db, { adminPassword: 'generated-secret-pw', demoLogins: false })
    const svc = new UsersService(database.db, testTokens)
    expect(await canLogin(svc, 'admin@twinstack.dev', 'generated-secret-pw')).toBe(true)
    expect(await canLogin(svc, 'admin@twinstack.dev', 'admin-password')).toBe(false)
    expect(await canLogin(svc, 'demo1@twinstack.dev', 'demo-password')).toBe(false)
  }, 30_000)

  it('brings an existing database in line with how this start is configured', async () => {
    // seeded in demo mode first (npm run monolith), then started without --demo
    const database = await memoryDatabase(users)
    opened.push(database)
    const svc = new UsersService(database.db, testTokens)
    expect(await canLogin(svc, 'demo9@twinstack.dev', 'demo-password')).toBe(true)
    await seedUsers(database.db, { adminPassword: 'rotated-admin-pw', demoLogins: false })
    expect(await canLogin(svc, 'demo9@twinstack.dev', 'demo-password')).toBe(false)
    expect(await canLogin(svc, 'admin@twinstack.dev', 'admin-password')).toBe(false)
    expect(await canLogin(svc, 'admin@twinstack.dev', 'rotated-admin-pw')).toBe(true)
    // a start that knows the database is in line checks nothing (and changes nothing)
    await seedUsers(database.db, { adminPassword: 'other', demoLogins: true, sync: false })
    expect(await canLogin(svc, 'admin@twinstack.dev', 'rotated-admin-pw')).toBe(true)
    expect(await canLogin(svc, 'demo9@twinstack.dev', 'demo-password')).toBe(false)
    // and back to demo mode
    await seedUsers(database.db, { adminPassword: 'admin-password', demoLogins: true })
    expect(await canLogin(svc, 'demo9@twinstack.dev', 'demo-password')).toBe(true)
    expect(await canLogin(svc, 'admin@twinstack.dev', 'admin-password')).toBe(true)
  }, 30_000)

  it('replaces the argon2 hashes an earlier version seeded, keeping the same logins', async () => {
    const database = await memoryDatabase(users)
    opened.push(database)
    const argon2 = (pw: string) => Bun.password.hash(pw, { algorithm: 'argon2id' })
    const [demo, admin] = await Promise.all([argon2('demo-password'), argon2('admin-password')])
    database.db
      .update(usersTable)
      .set({ passwordHash: demo })
      .where(ne(usersTable.id, ADMIN_ID))
      .run()
    database.db
      .update(usersTable)
      .set({ passwordHash: admin })
      .where(eq(usersTable.id, ADMIN_ID))
      .run()
    await seedUsers(database.db, { adminPassword: 'admin-password', demoLogins: true })
    const hashes = database.db.select({ h: usersTable.passwordHash }).from(usersTable).all()
    expect(hashes.filter((r) => !r.h.startsWith('scrypt$'))).toEqual([])
    const svc = new UsersService(database.db, testTokens)
    expect(await canLogin(svc, 'demo9@twinstack.dev', 'demo-password')).toBe(true)
    expect(await canLogin(svc, 'admin@twinstack.dev', 'admin-password')).toBe(true)
  }, 30_000)
})
