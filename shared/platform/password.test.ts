import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { UsersService, users } from '../modules/users/index.ts'
import { users as usersTable } from '../modules/users/schema.ts'
import { memoryDatabase, testTokens } from '../testing/harness.ts'
import type { Database } from './db/index.ts'
import { hashPassword, needsRehash, verifyPassword } from './password.ts'

describe('hashPassword', () => {
  it('makes a self-describing scrypt hash with a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')])
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    // same password, other salt, other hash
    expect(a.split('$')[4]).not.toBe(b.split('$')[4])
    expect(a).not.toBe(b)
    expect(needsRehash(a)).toBe(false)
  })
})

describe('verifyPassword', () => {
  it('accepts the password and refuses any other', async () => {
    const hash = await hashPassword('correct horse')
    expect(await verifyPassword('correct horse', hash)).toBe(true)
    expect(await verifyPassword('correct horsf', hash)).toBe(false)
    expect(await verifyPassword('', hash)).toBe(false)
  })

  it('reads the parameters from the hash, so older ones keep working', async () => {
    // a hash made with other (cheaper) parameters, as an earlier version might have stored
    const { scryptSync, randomBytes } = await import('node:crypto')
    const salt = randomBytes(16)
    const key = scryptSync('old one', salt, 32, { N: 1024, r: 8, p: 1 })
    const old = `scrypt$1024$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`
    expect(await verifyPassword('old one', old)).toBe(true)
    expect(await verifyPassword('new one', old)).toBe(false)
    expect(needsRehash(old)).toBe(true)
  })

  it('refuses hashes it cannot read, and parameters that would cost too much', async () => {
    const good = await hashPassword('pw')
    const [, , r, p, salt, key] = good.split('$')
    for (const bad of [
      '',
      'plain text',
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${key}`,
      `scrypt$1000$${r}$${p}$${salt}$${key}`,
      `scrypt$32768$${r}$${p}$${salt}$`,
      `md5$32768$${r}$${p}$${salt}$${key}`,
    ]) {
      expect(await verifyPassword('pw', bad)).toBe(false)
    }
  })

  it('still verifies the argon2 hashes of earlier versions under Bun', async () => {
    const legacy = await Bun.password.hash('from before', {
      algorithm: 'argon2id',
      memoryCost: 19456,
      timeCost: 2,
    })
    expect(await verifyPassword('from before', legacy)).toBe(true)
    expect(await verifyPassword('not it', legacy)).toBe(false)
    expect(needsRehash(legacy)).toBe(true)
  })
})

describe('passwords under Node', () => {
  const work = mkdtempSync(join(tmpdir(), 'twinstack-password-'))
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it('checks a hash Bun made, makes one Bun checks, and answers 503 for argon2', async () => {
    const built = await Bun.build({
      entrypoints: [join(import.meta.dirname, 'password.ts')],
      target: 'node',
      outdir: work,
    })
    expect(built.success).toBe(true)
    const fromBun = await hashPassword('shared secret')
    const argon2 = await Bun.password.hash('from before', { algorithm: 'argon2id' })
    const script = join(work, 'run.mjs')
    writeFileSync(
      script,
      `import { hashPassword, verifyPassword } from './password.js'
const [fromBun, argon2] = process.argv.slice(2)
const out = { runtime: typeof Bun }
out.right = await verifyPassword('shared secret', fromBun)
out.wrong = await verifyPassword('other secret', fromBun)
out.fromNode = await hashPassword('node secret')
out.argon2 = await verifyPassword('from before', argon2).then(String, (e) => e.kind)
console.log(JSON.stringify(out))
`,
    )
    const proc = Bun.spawnSync(['node', script, fromBun, argon2], { cwd: work })
    expect(proc.stderr.toString()).toBe('')
    const out = JSON.parse(proc.stdout.toString().trim())
    expect(out).toMatchObject({
      runtime: 'undefined',
      right: true,
      wrong: false,
      argon2: 'unavailable',
    })
    expect(await verifyPassword('node secret', out.fromNode)).toBe(true)
  }, 30_000)
})

describe('UsersService with an argon2 hash from an earlier version', () => {
  let database: Database
  afterAll(() => database?.close())

  it('logs in with it and replaces it by a scrypt hash', async () => {
    database = await memoryDatabase(users)
    const legacy = await Bun.password.hash('older-password', {
      algorithm: 'argon2id',
      memoryCost: 19456,
      timeCost: 2,
    })
    database.db
      .update(usersTable)
      .set({ passwordHash: legacy })
      .where(eq(usersTable.id, 'u-0003'))
      .run()
    const hashOf = () =>
      database.db
        .select({ h: usersTable.passwordHash })
        .from(usersTable)
        .where(eq(usersTable.id, 'u-0003'))
        .get()!.h
    const svc = new UsersService(database.db, testTokens)
    await expect(
      svc.login({ email: 'demo3@twinstack.dev', password: 'wrong-password' }),
    ).rejects.toThrow('wrong email or password')
    // a failed login changes nothing
    expect(hashOf()).toBe(legacy)
    const session = await svc.login({ email: 'demo3@twinstack.dev', password: 'older-password' })
    expect(session.user.id).toBe('u-0003')
    expect(hashOf()).toStartWith('scrypt$')
    expect(await verifyPassword('older-password', hashOf())).toBe(true)
    // and the new hash logs in too
    await svc.login({ email: 'demo3@twinstack.dev', password: 'older-password' })
  }, 30_000)
})
