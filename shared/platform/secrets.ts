import { createHash, createHmac, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// DEMO_PASSWORDS are the documented demo logins of api.md: usable only in --demo mode
export const DEMO_PASSWORDS = { admin: 'admin-password', customer: 'demo-password' } as const

// MIN_SECRET_BYTES is the shortest JWT secret --production accepts (HS256 wants ≥ 256 bits)
export const MIN_SECRET_BYTES = 32

// SecurityMode says how a deployment treats credentials and its operations routes
export interface SecurityMode {
  // the documented demo logins work (admin@twinstack.dev / admin-password, demoN / demo-password)
  demo: boolean
  // refuse to start with demo credentials or a short secret
  production: boolean
  // /_/status, /_/dashboard*, /_/metrics, /_/traces* answer without an admin token
  openOps: boolean
}

// Secrets are what a deployment signs and logs in with, resolved once at start
export interface Secrets {
  jwtSecret: string
  adminPassword: string
  // optional bearer token Prometheus may scrape /_/metrics with
  metricsToken: string | null
  // where the generated secrets live, and whether this start created them
  file: string
  created: boolean
  // a short id derived from the secret: processes that share the secret share rate limits
  installId: string
  // a keyed fingerprint of the logins this start wants (admin password, demo or not), and
  // whether the database already has them: then nobody needs to check password hashes at start
  loginsFingerprint: string
  loginsApplied: boolean
}

// Stored is the secrets file
interface Stored {
  jwtSecret: string
  adminPassword: string
  // the loginsFingerprint last applied to the data directory's database
  loginsApplied?: string
}

// securityMode reads --demo, --production, --open-ops and NODE_ENV (flags are also handed to
// child processes as TWINSTACK_DEMO / TWINSTACK_OPEN_OPS)
export function securityMode(argv: string[], env = process.env): SecurityMode {
  const production = argv.includes('--production') || env.NODE_ENV === 'production'
  return {
    demo: argv.includes('--demo') || env.TWINSTACK_DEMO === '1',
    production,
    openOps: argv.includes('--open-ops') || env.TWINSTACK_OPEN_OPS === '1',
  }
}

// SECRETS_FILE is the name of the generated secrets in the data directory
export const SECRETS_FILE = 'secrets.json'

// loadSecrets reads the data directory's secrets, generating them (mode 0600) on first start;
// JWT_SECRET, TWINSTACK_ADMIN_PASSWORD and TWINSTACK_METRICS_TOKEN override; --demo keeps the
// documented admin password. Throws when --production meets demo credentials or a short secret.
export function loadSecrets(dataDir: string, mode: SecurityMode, env = process.env): Secrets {
  const file = join(dataDir, SECRETS_FILE)
  let stored: Stored | null = null
  let created = false
  if (existsSync(file)) {
    stored = readStored(file)
  } else {
    mkdirSync(dataDir, { recursive: true })
    const fresh = {
      jwtSecret: randomBytes(48).toString('base64url'),
      adminPassword: randomBytes(18).toString('base64url'),
    }
    try {
      // wx: a concurrent first start (the supervisor's children) never overwrites the winner's
      writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
      created = true
      stored = fresh
    } catch {
      stored = readStored(file)
    }
  }
  // keep the file private even if someone loosened it (not ours to change: leave it)
  try {
    chmodSync(file, 0o600)
  } catch {
    // owned by someone else
  }
  const jwtSecret = env.JWT_SECRET || stored!.jwtSecret
  const adminPassword =
    env.TWINSTACK_ADMIN_PASSWORD || (mode.demo ? DEMO_PASSWORDS.admin : stored!.adminPassword)
  const secrets: Secrets = {
    jwtSecret,
    adminPassword,
    metricsToken: env.TWINSTACK_METRICS_TOKEN || null,
    file,
    created,
    installId: createHash('sha256').update(jwtSecret).digest('hex').slice(0, 12),
    loginsFingerprint: '',
    loginsApplied: false,
  }
  // keyed by the JWT secret: the file never holds a fast hash of the admin password
  secrets.loginsFingerprint = createHmac('sha256', jwtSecret)
    .update(`${adminPassword}\n${mode.demo ? 'demo' : 'no-demo'}`)
    .digest('hex')
  secrets.loginsApplied = stored!.loginsApplied === secrets.loginsFingerprint
  if (mode.production) refuseWeak(secrets, mode)
  return secrets
}

// readStored reads the secrets file, saying what to do when it is damaged
function readStored(file: string): Stored {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8'))
    if (typeof s.jwtSecret === 'string' && typeof s.adminPassword === 'string') return s
  } catch {
    // reported below
  }
  throw new Error(`${file} is damaged: delete it to generate new secrets`)
}

// markLoginsApplied records in the secrets file that the database has this start's logins, so
// the next start with the same ones skips checking password hashes
export function markLoginsApplied(secrets: Secrets): void {
  if (secrets.loginsApplied) return
  const stored = { ...readStored(secrets.file), loginsApplied: secrets.loginsFingerprint }
  const tmp = `${secrets.file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 })
  renameSync(tmp, secrets.file)
  secrets.loginsApplied = true
}

// refuseWeak throws when a production start would run with credentials anyone can look up
export function refuseWeak(
  secrets: Pick<Secrets, 'jwtSecret' | 'adminPassword'>,
  mode: SecurityMode,
) {
  if (mode.demo) throw new Error('--production refuses --demo: the demo logins are public')
  if (Buffer.byteLength(secrets.jwtSecret) < MIN_SECRET_BYTES)
    throw new Error(`--production refuses a JWT secret shorter than ${MIN_SECRET_BYTES} bytes`)
  if (Object.values(DEMO_PASSWORDS).includes(secrets.adminPassword as never))
    throw new Error('--production refuses a demo password for the admin')
  if (Buffer.byteLength(secrets.adminPassword) < 12)
    throw new Error('--production refuses an admin password shorter than 12 characters')
}

// securityBanner is the part of the start banner that says what is open and where secrets are
export function securityBanner(mode: SecurityMode, secrets: Secrets): string {
  const lines: string[] = []
  if (mode.demo) {
    lines.push(
      '  !!! DEMO MODE: the public demo logins work; never expose this to a network !!!',
      '  demo logins demo1@twinstack.dev … demo100@twinstack.dev / demo-password',
      '              admin@twinstack.dev / admin-password',
    )
  } else {
    lines.push(
      `  admin login admin@twinstack.dev, password in ${secrets.file}${secrets.created ? ' (just generated)' : ''}`,
      '              (TWINSTACK_ADMIN_PASSWORD overrides; demo logins are off: --demo enables them)',
    )
  }
  lines.push(`  secrets     ${secrets.file} (0600; JWT_SECRET overrides)`)
  lines.push(
    mode.openOps
      ? '  !!! OPEN OPS: /_/status, /_/dashboard, /_/metrics answer without a token (--open-ops) !!!'
      : '  ops routes  /_/status, /_/dashboard, /_/metrics need an admin token (sign in on the dashboard)',
  )
  if (mode.production) lines.push('  production  demo credentials and short secrets refused')
  return lines.join('\n')
}
