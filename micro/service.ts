import type { Hono } from 'hono'
import { createApp } from '../shared/platform/http/app.ts'
import type { OpsAccess } from '../shared/platform/http/auth.ts'
import type { AppEnv } from '../shared/platform/http/env.ts'
import { serve } from '../shared/platform/http/serve.ts'
import { requireServiceToken } from '../shared/platform/http/service-token.ts'
import { thisProcess } from '../shared/platform/ops/app.ts'
import { chaosRoutes, localFaults } from '../shared/platform/ops/chaos.ts'
import { breakerFeed, chaosFeed, latestFeed } from '../shared/platform/ops/feed.ts'
import { runtime } from '../shared/platform/runtime.ts'
import { Telemetry } from '../shared/platform/telemetry.ts'
import { version } from '../shared/platform/version.ts'
import type { Wired } from '../shared/wiring/wire.ts'
import { microConfig } from './config.ts'
import type { Local } from './ops.ts'
import { replicaSockets, serviceNamed } from './topology.ts'
import { wireService } from './wire.ts'

// ServiceAppOptions are what a service's app needs besides its wired group
export interface ServiceAppOptions {
  name: string
  replica: number
  wired: Wired
  telemetry: Telemetry
  // the internal token every call but /_/health must carry (the gateway and other services)
  serviceToken: string
  ops: OpsAccess
  log?: (msg: string) => void
}

// serviceApp is the HTTP app of one replica of a service: the platform (createApp), the
// service token on everything internal, chaos, the modules' routes and /_/local
export function serviceApp(o: ServiceAppOptions): Hono<AppEnv> {
  const { name, replica, wired, telemetry } = o
  telemetry.trackBreakers(wired.board)
  // breaker transitions of this process's links, for the dashboard feed
  const breakerEvents = breakerFeed(wired.board)
  const app = createApp({
    service: name,
    deployment: 'micro',
    version,
    tokens: wired.tokens,
    telemetry,
    log: o.log,
    ops: o.ops,
    // users reach a service only through the gateway, which sets the secure headers on every
    // answer it forwards: 10 header writes per internal call saved
    secureHeaders: false,
  })
  // users reach services only through the gateway, which holds the service token
  const token = requireServiceToken(o.serviceToken)
  app.use('/_/local', token)
  // faults meet calls into the modules themselves (shared/wiring/wire.ts wraps each with withFaults)
  app.use('/api/*', token)
  app.use('/internal/*', token)
  app.use('/_/chaos', token)
  app.use('/_/chaos/*', token)
  // the gateway checks target names against the topology before forwarding here
  app.route('/', chaosRoutes(localFaults(wired.faults, () => true)))
  for (const m of wired.modules) app.route('/', m.routes)
  app.get('/_/local', (c) =>
    c.json({
      service: name,
      replica,
      ...thisProcess(),
      breakers: wired.board.list(),
      stats: telemetry.window.snapshot().find((s) => s.target === name) ?? null,
      faults: wired.faults.snapshot(),
      events: latestFeed([...breakerEvents.events, ...chaosFeed(wired.faults.events)]),
    } satisfies Local),
  )
  return app
}

// runService starts one replica of one service of the topology as this process
export async function runService(name: string, replica = 0): Promise<void> {
  const config = microConfig()
  const spec = serviceNamed(name, config.topology)
  const port = spec.port + replica
  const tag = `${name}#${replica}`
  const log = (msg: string) => console.log(`[${tag}] ${msg}`)
  const wired = await wireService(spec, config, log)

  const telemetry = new Telemetry(name)
  const app = serviceApp({
    name,
    replica,
    wired,
    telemetry,
    serviceToken: config.serviceToken,
    ops: { open: config.mode.openOps, metricsToken: config.secrets.metricsToken },
    log,
  })
  const unix = replicaSockets(spec, config.socketDir)[replica]
  const server = await serve({ hostname: config.host, port, fetch: app.fetch, unix })
  log(
    `listening on http://${config.host}:${port}${unix ? ` and ${unix}` : ''} (pid ${process.pid}, ${runtime})`,
  )

  let stopping = false
  const shutdown = async (why: string) => {
    if (stopping) return
    stopping = true
    log(`${why}: draining`)
    await server.stop()
    await wired.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  // never outlive the supervisor: if it dies (even by SIGKILL) we are re-parented, so leave
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) void shutdown('supervisor gone')
  }, 500).unref()
}
