import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSecrets, markLoginsApplied, securityBanner, securityMode } from './secrets.ts'

const dirs: string[] = []
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinstack-secrets-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const plain = securityMode([], {})

describe('loadSecrets', () => {
  it('generates a long secret and an admin password on first start, 0600, and keeps them', () => {
    const dir = fresh()
    const first = loadSecrets(dir, plain, {})
    expect(first.created).toBe(true)
    expect(Buffer.byteLength(first.jwtSecret)).toBeGreaterThanOrEqual(32)
    expect(first.adminPassword).not.toBe('admin-password')
    expect(statSync(first.file).mode & 0o777).toBe(0o600)
    const again = loadSecrets(dir, plain, {})
    expect(again.created).toBe(false)
    expect(again.jwtSecret).toBe(first.jwtSecret)
    expect(again.adminPassword).toBe(first.adminPassword)
    expect(JSON.parse(readFileSync(first.file, 'utf8')).jwtSecret).toBe(first.jwtSecret)
  })

  it('takes JWT_SECRET, TWINSTACK_ADMIN_PASSWORD and TWINSTACK_METRICS_TOKEN from env', () => {
    const s = loadSecrets(fresh(), plain, {
      JWT_SECRET: 'x'.repeat(40),
      TWINSTACK_ADMIN_PASSWORD: 'a long admin password',
      TWINSTACK_METRICS_TOKEN: 'scrape-me',
    })
    expect(s).toMatchObject({
      jwtSecret: 'x'.repeat(40),
      adminPassword: 'a long admin password',
      metricsToken: 'scrape-me',
    })
  })

  it('keeps the documented admin password in --demo mode and says so loudly', () => {
    const mode = securityMode(['--demo'], {})
    const s = loadSecrets(fresh(), mode, {})
    expect(s.adminPassword).toBe('admin-password')
    expect(securityBanner(mode, s)).toContain('DEMO MODE')
    expect(securityBanner(plain, s)).not.toContain('admin-password')
  })

  it('refuses, in production, the demo mode, a short secret or a demo admin password', () => {
    const prod = securityMode(['--production'], {})
    expect(() =>
      loadSecrets(fresh(), securityMode(['--demo'], { NODE_ENV: 'production' }), {}),
    ).toThrow(/refuses --demo/)
    expect(() => loadSecrets(fresh(), prod, { JWT_SECRET: 'short' })).toThrow(/32 bytes/)
    expect(() =>
      loadSecrets(fresh(), prod, { TWINSTACK_ADMIN_PASSWORD: 'admin-password' }),
    ).toThrow(/demo password/)
    expect(loadSecrets(fresh(), prod, {}).created).toBe(true)
  })
})

describe('loadSecrets (damaged file)', () => {
  it('says which file is damaged and what to do', () => {
    const dir = fresh()
    writeFileSync(join(dir, 'secrets.json'), '{"jwtSecret": ')
    expect(() => loadSecrets(dir, plain, {})).toThrow(/secrets.json is damaged: delete it/)
  })
})

describe('markLoginsApplied', () => {
  it('lets the next start with the same logins skip the password checks, and only that one', () => {
    const dir = fresh()
    const first = loadSecrets(dir, plain, {})
    expect(first.loginsApplied).toBe(false)
    markLoginsApplied(first)
    expect(statSync(first.file).mode & 0o777).toBe(0o600)
    expect(loadSecrets(dir, plain, {}).loginsApplied).toBe(true)
    expect(loadSecrets(dir, securityMode(['--demo'], {}), {}).loginsApplied).toBe(false)
    expect(
      loadSecrets(dir, plain, { TWINSTACK_ADMIN_PASSWORD: 'another admin password' }).loginsApplied,
    ).toBe(false)
    // the secrets themselves are untouched
    expect(loadSecrets(dir, plain, {}).jwtSecret).toBe(first.jwtSecret)
  })
})
