import type { Context, Hono } from 'hono'
import { routePath } from 'hono/route'
import { outboxQueueStats } from '../shared/platform/bus/status.ts'
import { type AppOptions, createApp } from '../shared/platform/http/app.ts'
import { requireAdmin } from '../shared/platform/http/auth.ts'
import { chaosRoutes, loopbackOnly } from '../shared/platform/http/chaos-routes.ts'
import {
  type DashboardSnapshot,
  DeadLetterWatch,
  dashboardStream,
} from '../shared/platform/http/dashboard.ts'
import { dashboardPage } from '../shared/platform/http/dashboard-page.ts'
import { docsRoutes } from '../shared/platform/http/docs.ts'
import type { AppEnv } from '../shared/platform/http/env.ts'
import { openApiDocument } from '../shared/platform/http/openapi.ts'
import { requireServiceToken } from '../shared/platform/http/service-token.ts'
import { Telemetry } from '../shared/platform/telemetry.ts'
import { version } from '../shared/platform/version.ts'
import { publicEndpoints } from '../shared/wiring/registry.ts'
import type { Monolith } from './wire.ts'

// monolithApp mounts every module's routes on one Hono app, with docs, operations, chaos and
// dashboard routes
export function monolithApp(
  wired: Monolith,
  opts: {
    url: string
    log?: (m: string) => void
    ops?: AppOptions['ops']
    limits?: AppOptions['limits']
    userExists?: AppOptions['userExists']
  },
) {
  // which module a matched route belongs to, so figures can be kept per module
  const moduleOf = new Map<string, string>()
  for (const m of wired.modules) for (const r of m.routes.routes) moduleOf.set(r.path, m.name)
  const telemetry = new Telemetry(
    'monolith',
    (c: Context) => moduleOf.get(routePath(c, -1)) ?? null,
  )
  telemetry.trackQueues(() => outboxQueueStats(wired.database.db))
  const app: Hono<AppEnv> = createApp({
    service: 'monolith',
    deployment: 'monolith',
    version,
    tokens: wired.tokens,
    telemetry,
    log: opts.log,
    ops: opts.ops,
    limits: opts.limits,
    userExists: opts.userExists,
  })
  app.use('/internal/*', requireServiceToken(wired.serviceToken))
  for (const m of wired.modules) app.route('/', m.routes)
  app.route(
    '/',
    docsRoutes(openApiDocument(publicEndpoints(), { title: 'twinstack', version }), 'twinstack'),
  )

  const names = new Set(wired.modules.map((m) => m.name))
  app.use('/_/chaos', loopbackOnly(), requireAdmin())
  app.use('/_/chaos/*', loopbackOnly(), requireAdmin())
  app.route(
    '/',
    chaosRoutes(wired.faults, (target) => names.has(target)),
  )

  const processView = () => ({
    name: 'monolith',
    replica: 0,
    pid: process.pid,
    url: opts.url,
    state: 'up' as const,
    restarts: Number(process.env.TWINSTACK_RESTARTS ?? 0),
    rssBytes: process.memoryUsage.rss(),
  })
  app.get('/_/status', (c) => {
    const { state: _s, ...p } = processView()
    return c.json({
      deployment: 'monolith',
      services: [{ ...p, modules: [...names], runtime: 'bun', healthy: true }],
      breakers: [],
      queues: outboxQueueStats(wired.database.db),
    })
  })

  const startedAt = new Date().toISOString()
  const lastExit = process.env.TWINSTACK_LAST_EXIT ?? ''
  const deadLetters = new DeadLetterWatch()
  const snapshot = async (): Promise<DashboardSnapshot> => {
    const stats = new Map(telemetry.window.snapshot().map((s) => [s.target, s]))
    const { faults } = wired.faults.snapshot()
    return {
      deployment: 'monolith',
      at: new Date().toISOString(),
      targets: [...names].map((name) => ({
        ...(stats.get(name) ?? {
          target: name,
          count: 0,
          rps: 0,
          errorRate: 0,
          p50: null,
          p99: null,
          series: [],
        }),
        kind: 'module' as const,
        state: faults[name]?.crash ? ('crash-armed' as const) : ('up' as const),
      })),
      processes: [processView()],
      breakers: [],
      queues: deadLetters.observe(outboxQueueStats(wired.database.db)),
      faults: wired.faults.snapshot(),
      events: [
        ...(lastExit
          ? [{ at: startedAt, kind: 'restarted', source: 'monolith', detail: `after ${lastExit}` }]
          : []),
        ...deadLetters.events,
        ...wired.faults.events.slice(-50).map((e) => ({
          at: e.at,
          kind: `chaos ${e.kind}`,
          source: e.target,
          detail: e.detail,
        })),
      ],
    }
  }
  app.route('/', dashboardStream(snapshot))
  app.route('/', dashboardPage())
  return app
}
