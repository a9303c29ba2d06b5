import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { count } from 'drizzle-orm'
import type { Users } from '../../contracts/users.ts'
import { DomainError } from '../../domain/errors.ts'
import { ADMIN_ID, SEED_USERS } from '../../domain/prng.ts'
import type { Database } from '../../platform/db/index.ts'
import { memoryDatabase, testApp, testTokens, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import { UsersService, users, usersClient, usersRoutes } from './index.ts'
import { users as usersTable } from './schema.ts'
import { seedUsers } from './seed.ts'

const kindOf = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (e) {
    return e instanceof DomainError ? e.kind : `not a DomainError: ${e}`
  }
  return 'no error'
}

threeWays<Users>(
  'Users',
  {
    service: async () => {
      const database = await memoryDatabase(users)
      return { service: new UsersService(database.db, testTokens), close: database.close }
    },
    routes: usersRoutes,
    client: usersClient,
  },
  (svc) => {
    it('logs a seeded demo user in with a token that names them', async () => {
      const session = await svc().login({ email: 'demo7@twinstack.dev', password: 'demo-password' })
      expect(session.user).toEqual({
        id: 'u-0007',
        email: 'demo7@twinstack.dev',
        name: 'Demo User 7',
        role: 'customer',
      })
      expect(await testTokens.check(session.token)).toEqual({
        id: 'u-0007',
        email: 'demo7@twinstack.dev',
        role: 'customer',
      })
    })

    it('logs the seeded admin in as an admin', async () => {
      const session = await svc().login({
        email: 'admin@twinstack.dev',
        password: 'admin-password',
      })
      expect(session.user).toMatchObject({ id: ADMIN_ID, role: 'admin' })
      expect((await testTokens.check(session.token)).role).toBe('admin')
    })

    it('refuses a wrong password and an unknown email alike', async () => {
      // both run at once; each gets its handler at once, so neither rejection is ever unhandled
      const failure = (attempt: Promise<unknown>) =>
        attempt.then(
          () => null,
          (e: unknown) => e,
        )
      const wrong = failure(
        svc().login({ email: 'demo1@twinstack.dev', password: 'admin-password' }),
      )
      const unknown = failure(
        svc().login({ email: 'nobody@twinstack.dev', password: 'demo-password' }),
      )
      const messages: string[] = []
      for (const attempt of [wrong, unknown]) {
        const error = await attempt
        expect(error).toBeInstanceOf(DomainError)
        expect((error as DomainError).kind).toBe('unauthorized')
        messages.push((error as DomainError).message)
      }
      expect(messages[0]).toBe(messages[1]!)
    })

    it('registers a customer, stores the email lowercased and lets them log in', async () => {
      const user = await svc().register({
        email: 'New.Person@Example.com',
        password: 'correct horse',
        name: 'New Person',
      })
      expect(user).toEqual({
        id: expect.any(String),
        email: 'new.person@example.com',
        name: 'New Person',
      })
      const session = await svc().login({
        email: 'NEW.person@example.com',
        password: 'correct horse',
      })
      expect(session.user).toEqual({ ...user, role: 'customer' })
      expect(await svc().user(user.id)).toEqual(user)
    })

    it('refuses an email that is taken, whatever its case', async () => {
      expect(
        await kindOf(
          svc().register({ email: 'DEMO3@twinstack.dev', password: 'whatever-pw', name: 'X' }),
        ),
      ).toBe('conflict')
    })

    it('finds a user by id and answers null for an unknown one', async () => {
      expect(await svc().user('u-0042')).toEqual({
        id: 'u-0042',
        email: 'demo42@twinstack.dev',
        name: 'Demo User 42',
      })
      expect(await svc().user('u-9999')).toBeNull()
    })
  },
)

describe('seedUsers', () => {
  let database: Database
  beforeAll(async () => {
    database = await memoryDatabase(users)
  })
  afterAll(() => database.close())

  it('seeds the demo customers and one admin, and nothing twice', async () => {
    const n = () => database.db.select({ n: count() }).from(usersTable).get()?.n
    expect(n()).toBe(SEED_USERS + 1)
    await seedUsers(database.db)
    expect(n()).toBe(SEED_USERS + 1)
  })

  it('stores scrypt hashes, never the password', () => {
    const rows = database.db.select().from(usersTable).all()
    for (const row of rows) {
      expect(row.passwordHash).toStartWith('scrypt$32768$8$1$')
      expect(row.passwordHash).not.toContain('password')
    }
  })
})

describe('usersRoutes', () => {
  let database: Database
  let app: ReturnType<typeof testApp>
  beforeAll(async () => {
    database = await memoryDatabase(users)
    app = testApp(usersRoutes(new UsersService(database.db, testTokens)))
  })
  afterAll(() => database.close())

  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })

  it('POST /api/auth/register answers 201 with the user, then 409 for the same email', async () => {
    const res = await post('/api/auth/register', {
      email: 'route@example.com',
      password: 'long enough',
      name: '  Route  ',
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({
      id: expect.any(String),
      email: 'route@example.com',
      name: 'Route',
    })
    await expectProblem(
      await post('/api/auth/register', {
        email: 'ROUTE@example.com',
        password: 'long enough',
        name: 'Again',
      }),
      409,
    )
  })

  it('POST /api/auth/login answers 200 with a token and the user', async () => {
    const res = await post('/api/auth/login', {
      email: 'demo2@twinstack.dev',
      password: 'demo-password',
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { token: string; user: unknown }
    expect(body.user).toEqual({
      id: 'u-0002',
      email: 'demo2@twinstack.dev',
      name: 'Demo User 2',
      role: 'customer',
    })
    expect((await testTokens.check(body.token)).id).toBe('u-0002')
  })

  it('POST /api/auth/login answers 401 for a wrong password or an unknown email', async () => {
    await expectProblem(
      await post('/api/auth/login', { email: 'demo2@twinstack.dev', password: 'nope' }),
      401,
    )
    await expectProblem(
      await post('/api/auth/login', { email: 'ghost@twinstack.dev', password: 'demo-password' }),
      401,
    )
  })

  it('answers malformed JSON, wrong types and missing fields with 400', async () => {
    for (const path of ['/api/auth/register', '/api/auth/login', '/internal/users/login']) {
      await expectProblem(await post(path, '{"email": '), 400)
      await expectProblem(await post(path, { email: 42, password: [] }), 400)
      await expectProblem(await post(path, {}), 400)
      await expectProblem(await post(path, '[1,2]'), 400)
    }
  })

  it('POST /api/auth/register refuses a bad email, a short or huge password and an empty name', async () => {
    const ok = { email: 'fine@example.com', password: 'long enough', name: 'Fine' }
    const bad = [
      { ...ok, email: 'not-an-email' },
      { ...ok, password: 'short' },
      { ...ok, password: 'x'.repeat(10_000) },
      { ...ok, name: '   ' },
      { ...ok, name: 'n'.repeat(201) },
    ]
    for (const body of bad) await expectProblem(await post('/api/auth/register', body), 400)
    // none of them was stored
    await expectProblem(
      await post('/api/auth/login', { email: ok.email, password: ok.password }),
      401,
    )
  })

  it('answers a 2 MB body with 413', async () => {
    const body = { email: 'a@b.dev', password: 'x', name: 'y'.repeat(2_000_000) }
    await expectProblem(await post('/api/auth/register', body), 413)
    await expectProblem(
      await post('/api/auth/login', { email: 'a@b.dev', password: 'y'.repeat(2_000_000) }),
      413,
    )
  })

  it('GET /internal/users/users/:id answers the user, 404 when unknown, 400 for a huge id', async () => {
    const res = await app.request('/internal/users/users/u-0009')
    expect(await res.json()).toEqual({
      id: 'u-0009',
      email: 'demo9@twinstack.dev',
      name: 'Demo User 9',
    })
    await expectProblem(await app.request('/internal/users/users/u-9999'), 404)
    await expectProblem(await app.request(`/internal/users/users/${'x'.repeat(65)}`), 400)
  })
})
