import type { Context, Hono } from 'hono'
import { routePath } from 'hono/route'
import { outboxQueueStats } from '../shared/platform/bus/status.ts'
import { type AppOptions, createApp } from '../shared/platform/http/app.ts'
import { docsRoutes } from '../shared/platform/http/docs.ts'
import type { AppEnv } from '../shared/platform/http/env.ts'
import { openApiDocument } from '../shared/platform/http/openapi.ts'
import { requireServiceToken } from '../shared/platform/http/service-token.ts'
import { opsApp } from '../shared/platform/ops/app.ts'
import { Telemetry } from '../shared/platform/telemetry.ts'
import { version } from '../shared/platform/version.ts'
import { publicEndpoints } from '../shared/wiring/registry.ts'
import { monolithOps } from './ops.ts'
import type { Monolith } from './wire.ts'

// monolithApp mounts every module's routes on one Hono app, with docs and the operations app
// (status, dashboard, chaos)
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

  app.route('/', opsApp(monolithOps(wired, telemetry, opts.url)))
  return app
}
