import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { endDashboardStreams } from '../shared/platform/http/dashboard.ts'
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

  const wired = await wireMonolith({
    dbPath,
    jwtSecret: config.jwtSecret,
    relayPaused: config.relayPaused,
    modules: config.modules,
  })
  const url = `http://${config.host}:${config.port}`
  const app = monolithApp(wired, { url })
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    reusePort: config.reusePort,
    fetch: app.fetch,
  })

  console.log(`twinstack monolith listening on ${url}  (ready in ${Math.round(performance.now() - started)} ms)
  data file   ${dbPath}
  api docs    ${url}/docs
  status      ${url}/_/status
  demo logins demo1@twinstack.dev … demo100@twinstack.dev / demo-password
              admin@twinstack.dev / admin-password`)

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
