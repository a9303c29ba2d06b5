import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { LoginInput, RegisterInput, Session, User, Users } from '../../contracts/users.ts'
import { conflict, unauthorized } from '../../domain/errors.ts'
import { type Db, nowIso, write } from '../../platform/db/index.ts'
import type { TokenIssuer } from '../../platform/http/auth.ts'
import {
  hashPassword,
  needsRehash,
  PASSWORD_HASHING,
  verifyPassword,
} from '../../platform/password.ts'
import { users } from './schema.ts'

// hashPassword and PASSWORD_HASHING are the platform's portable scrypt, re-exported for seeds
export { hashPassword, PASSWORD_HASHING }

const WRONG_CREDENTIALS = 'wrong email or password'

// the statements of one database, prepared once
const statements = (db: Db) => ({
  byEmail: db
    .select()
    .from(users)
    .where(eq(users.email, sql.placeholder('email')))
    .prepare(),
  byId: db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare(),
})

// UsersService registers customers, checks passwords and issues tokens
export class UsersService implements Users {
  // a hash to verify against when the email is unknown, so both failures take as long
  private decoy: Promise<string> | undefined
  private readonly q: ReturnType<typeof statements>

  constructor(
    private readonly db: Db,
    private readonly tokens: TokenIssuer,
  ) {
    this.q = statements(db)
  }

  async register(input: RegisterInput): Promise<User> {
    const email = input.email.trim().toLowerCase()
    const name = input.name.trim()
    // hashing is slow and async, so it happens before the (synchronous) transaction
    const passwordHash = await hashPassword(input.password)
    const row = write(this.db, (tx) => {
      const taken = tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get()
      if (taken) throw conflict('email already registered')
      const user = {
        id: randomUUID(),
        email,
        name,
        passwordHash,
        role: 'customer' as const,
        createdAt: nowIso(),
      }
      tx.insert(users).values(user).run()
      return user
    })
    return { id: row.id, email: row.email, name: row.name }
  }

  async login(input: LoginInput): Promise<Session> {
    const email = input.email.trim().toLowerCase()
    const row = this.q.byEmail.get({ email })
    if (!row) {
      this.decoy ??= hashPassword(randomUUID())
      await verifyPassword(input.password, await this.decoy)
      throw unauthorized(WRONG_CREDENTIALS)
    }
    if (!(await verifyPassword(input.password, row.passwordHash))) {
      throw unauthorized(WRONG_CREDENTIALS)
    }
    if (needsRehash(row.passwordHash)) await this.rehash(row.id, row.passwordHash, input.password)
    const token = await this.tokens.issue({ id: row.id, email: row.email, role: row.role })
    return { token, user: { id: row.id, email: row.email, name: row.name, role: row.role } }
  }

  // rehash replaces an older kind of hash (argon2 from earlier versions) by the current one,
  // once the password is known to be right; only if the row still holds the hash that was
  // checked (a concurrent password change wins), and never at the cost of the login itself
  private async rehash(id: string, old: string, password: string): Promise<void> {
    try {
      const passwordHash = await hashPassword(password)
      write(this.db, (tx) => {
        tx.update(users)
          .set({ passwordHash })
          .where(and(eq(users.id, id), eq(users.passwordHash, old)))
          .run()
      })
    } catch {
      // a busy database: the next login tries again
    }
  }

  async user(id: string): Promise<User | null> {
    return this.q.byId.get({ id }) ?? null
  }
}
