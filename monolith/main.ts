import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { knownUsers } from '../shared/platform/http/auth.ts'
import { endDashboardStreams } from '../shared/platform/http/dashboard.ts'
import { serverError } from '../shared/platform/http/problem.ts'
import { limitStore } from '../shared/platform/http/rate-limit.ts'
import { loadSecrets, markLoginsApplied, securityBanner } from '../shared/platform/secrets.ts'
import { monolithApp } from './app.ts'
import { monolithConfig } from './config.ts'
import { wireMonolith } from './wire.ts'

// runMonolith starts every module in one Bun process on :3000 (`--reset` starts fresh)
export async function runMonolith(argv = process.argv.slice(2)): Promise<void> {
  const started = performance.now()
  const config = monolithConfig(argv)
  const dbPath = join(config.dataDir, 'monolith.db')
  mkdirSync(config.dataDir, { recursive: true })
  if (config.reset) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true })
  }
  let secrets: ReturnType<typeof loadSecrets>
  try {
    secrets = loadSecrets(config.dataDir, config.mode)
  } catch (error) {
    console.error(`twinstack monolith refuses to start: ${(error as Error).message}`)
    process.exit(2)
  }

  const wired = await wireMonolith({
    dbPath,
    jwtSecret: secrets.jwtSecret,
    credentials: {
      adminPassword: secrets.adminPassword,
      demoLogins: config.mode.demo,
      sync: !secrets.loginsApplied,
    },
    relayPaused: config.relayPaused,
    modules: config.modules,
  })
  markLoginsApplied(secrets)
  const url = `http://${config.host}:${config.port}`
  const store = limitStore(config.limits, secrets.installId)
  const app = monolithApp(wired, {
    url,
    ops: { open: config.mode.openOps, metricsToken: secrets.metricsToken },
    limits: { settings: config.limits, store },
    userExists: knownUsers(wired.userExists),
  })
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    reusePort: config.reusePort,
    fetch: app.fetch,
    error: serverError,
  })

  console.log(`twinstack monolith listening on ${url}  (ready in ${Math.round(performance.now() - started)} ms)
  data file   ${dbPath}
  api docs    ${url}/docs
  status      ${url}/_/status
${securityBanner(config.mode, secrets)}`)

  let stopping = false
  async function shutdown(signal: string) {
    if (stopping) return
    stopping = true
    console.log(`${signal}: draining requests and closing the database`)
    // stop accepting, let in-flight requests finish, then flush the outbox and close the db
    endDashboardStreams()
    await server.stop(false)
    if (!config.relayPaused) await wired.relay.drain().catch(() => {})
    await wired.close()
    store.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  if (process.env.TWINSTACK_KEEPER === '1') {
    // never outlive the keeper
    const parent = process.ppid
    setInterval(() => {
      if (process.ppid !== parent) void shutdown('keeper gone')
    }, 500).unref()
  }
}

if (import.meta.main) await runMonolith()
