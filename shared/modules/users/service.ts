import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import type { LoginInput, RegisterInput, Session, User, Users } from '../../contracts/users.ts'
import { conflict, unauthorized } from '../../domain/errors.ts'
import { type Db, nowIso, write } from '../../platform/db/index.ts'
import type { TokenIssuer } from '../../platform/http/auth.ts'
import { users } from './schema.ts'

// PASSWORD_HASHING is argon2id with modest but real parameters (OWASP's 19 MiB, 2 passes)
export const PASSWORD_HASHING = {
  algorithm: 'argon2id',
  memoryCost: 19456,
  timeCost: 2,
} as const

// hashPassword hashes a password the way every stored user's password is hashed
export const hashPassword = (password: string) => Bun.password.hash(password, PASSWORD_HASHING)

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
      await Bun.password.verify(input.password, await this.decoy)
      throw unauthorized(WRONG_CREDENTIALS)
    }
    if (!(await Bun.password.verify(input.password, row.passwordHash))) {
      throw unauthorized(WRONG_CREDENTIALS)
    }
    const token = await this.tokens.issue({ id: row.id, email: row.email, role: row.role })
    return { token, user: { id: row.id, email: row.email, name: row.name, role: row.role } }
  }

  async user(id: string): Promise<User | null> {
    return this.q.byId.get({ id }) ?? null
  }
}
