import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { routePath } from 'hono/route'
import { sqliteQueue } from '../shared/platform/bus/sqlite-queue.ts'
import { audienceOf, jwtIssuer } from '../shared/platform/http/auth.ts'
import { endDashboardStreams } from '../shared/platform/http/dashboard.ts'
import { serverError } from '../shared/platform/http/problem.ts'
import { limitStore } from '../shared/platform/http/rate-limit.ts'
import { maxRssMiB } from '../shared/platform/rss.ts'
import { markLoginsApplied, securityBanner } from '../shared/platform/secrets.ts'
import { Telemetry } from '../shared/platform/telemetry.ts'
import { planFor } from '../shared/wiring/plan.ts'
import { microConfig } from './config.ts'
import { gatewayApp } from './gateway/app.ts'
import { buildNodeEntry, serviceCommand } from './node.ts'
import { Supervisor } from './supervisor/supervisor.ts'
import { serviceNamed } from './topology.ts'

// runMicro starts the whole topology under a supervisor, with the gateway in this process
export async function runMicro(argv: string[]): Promise<void> {
  const started = performance.now()
  // one token per run unless given: only the gateway and the services know it
  process.env.TWINSTACK_SERVICE_TOKEN ??= randomBytes(24).toString('hex')
  // the flags travel to every service as env, so all processes agree on the mode
  if (argv.includes('--demo')) process.env.TWINSTACK_DEMO = '1'
  if (argv.includes('--open-ops')) process.env.TWINSTACK_OPEN_OPS = '1'
  if (argv.includes('--production')) process.env.NODE_ENV = 'production'
  const layout = layoutArg(argv)
  if (layout !== undefined) process.env.TWINSTACK_LAYOUT = layout
  try {
    // a bad layout is refused before anything happens, --reset included
    planFor(process.env.TWINSTACK_LAYOUT ?? 'micro')
  } catch (error) {
    console.error(`twinstack micro refuses to start: ${(error as Error).message}`)
    process.exit(2)
  }
  if (argv.includes('--reset')) {
    // the secrets live in the data dir too: --reset starts with new ones
    rmSync(process.env.TWINSTACK_DATA ?? join(process.cwd(), 'data', 'micro'), {
      recursive: true,
      force: true,
    })
  }
  let config: ReturnType<typeof microConfig>
  let maxRss: number | null
  try {
    maxRss = maxRssMiB(argv)
    config = microConfig()
  } catch (error) {
    console.error(`twinstack micro refuses to start: ${(error as Error).message}`)
    process.exit(2)
  }
  mkdirSync(config.dataDir, { recursive: true })
  const log = (msg: string) => console.log(`[supervisor] ${msg}`)
  // services on Node run a bundle of the same sources, built now (before any is spawned)
  const onNode = config.topology.services.filter((s) => s.runtime === 'node')
  let nodeEntry = ''
  if (onNode.length) {
    try {
      nodeEntry = await buildNodeEntry()
    } catch (error) {
      console.error(`twinstack micro cannot run ${onNode.map((s) => s.name)} on Node: ${error}`)
      process.exit(2)
    }
    log(`on Node: ${onNode.map((s) => s.name).join(', ')} (${nodeEntry})`)
  }
  const supervisor = new Supervisor(config, {
    command: (service, replica) => {
      const runtime = serviceNamed(service, config.topology).runtime ?? 'bun'
      const command = serviceCommand(runtime, service, replica, nodeEntry)
      return runtime === 'bun' ? profiled(service, replica, command) : command
    },
    restart: !argv.includes('--no-restart'),
    env: {
      TWINSTACK_DATA: config.dataDir,
      TWINSTACK_SERVICE_TOKEN: config.serviceToken,
      JWT_SECRET: config.jwtSecret,
      TWINSTACK_ADMIN_PASSWORD: config.secrets.adminPassword,
    },
    log: argv.includes('--quiet') ? undefined : log,
    maxRssMiB: maxRss ?? undefined,
  })
  let stopping = false
  const shutdown = async (why: string) => {
    if (stopping) return
    stopping = true
    log(`${why}: stopping every service`)
    endDashboardStreams()
    await server?.stop(false)
    await supervisor.stopAll()
    await queue.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))

  const queue = sqliteQueue(join(config.dataDir, config.topology.queue), {
    groups: config.topology.groups,
  })
  let server: ReturnType<typeof Bun.serve> | undefined
  try {
    await supervisor.start()
    // every service is healthy, so the shared users database has this start's logins
    markLoginsApplied(config.secrets)
  } catch (error) {
    console.error(`could not start the topology: ${(error as Error).message}`)
    await shutdown('start failed')
    return
  }
  const store = limitStore(config.limits, config.secrets.installId)
  // figures at the gateway are kept per upstream service: what users see of each
  const routeOwner = new Map(
    config.topology.services.flatMap((s) => s.routes.map((r) => [r, s.name] as const)),
  )
  const telemetry = new Telemetry('gateway', (c) => routeOwner.get(routePath(c, -1)) ?? null)
  telemetry.trackQueues(() => queue.stats())
  const app = gatewayApp({
    config,
    supervisor,
    queue,
    tokens: jwtIssuer(config.jwtSecret, { audience: audienceOf('micro') }),
    telemetry,
    limits: { settings: config.limits, store },
    log,
  })
  const url = `http://${config.host}:${config.topology.gateway.port}`
  server = Bun.serve({
    hostname: config.host,
    port: config.topology.gateway.port,
    fetch: app.fetch,
    error: serverError,
  })

  const rows = supervisor
    .services()
    .map((s) => [
      s.name,
      s.replicaList.map((r) => r.url).join(' '),
      s.replicaList.map((r) => r.pid).join(' '),
      String(s.replicas),
      `${s.runtime === 'bun' ? '' : `${s.runtime}: `}${s.modules.join(' ')}`,
    ])
  const width = [17, 48, 14, 8, 0]
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(width[i]!)).join(' ')
  console.log(`twinstack micro: gateway on ${url}, ${supervisor.replicas.length} processes healthy in ${Math.round(performance.now() - started)} ms
  layout      ${config.topology.layout} (${config.topology.services.length} groups)
  data dir    ${config.dataDir}
  api docs    ${url}/docs
  status      ${url}/_/status
${securityBanner(config.mode, config.secrets)}

${line(['service', 'url', 'pid', 'replicas', 'modules'])}
${rows.map(line).join('\n')}`)
}

// layoutArg reads `--layout <layout>` or `--layout=<layout>` (monolith, micro, by-domain or a
// custom string such as "storefront+catalog,node:loan-validation+credit-check")
export function layoutArg(argv: string[]): string | undefined {
  const eq = argv.find((a) => a.startsWith('--layout='))
  if (eq) return eq.slice('--layout='.length)
  const at = argv.indexOf('--layout')
  if (at < 0) return undefined
  const value = argv[at + 1]
  // a missing value is an empty layout, which the plan refuses with its own message
  return value === undefined || value.startsWith('--') ? '' : value
}

// profiled adds Bun's CPU profiler to the first replica of the service named by
// TWINSTACK_CPU_PROFILE (the bench's --profile micro:<service>); the profile is written as
// markdown into TWINSTACK_CPU_PROFILE_DIR when the replica exits
function profiled(service: string, replica: number, command: string[]): string[] {
  const dir = process.env.TWINSTACK_CPU_PROFILE_DIR
  if (process.env.TWINSTACK_CPU_PROFILE !== service || replica !== 0 || !dir) return command
  const [bun, ...rest] = command
  return [bun!, '--cpu-prof-md', `--cpu-prof-dir=${dir}`, ...rest]
}
