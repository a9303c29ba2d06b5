import type { Hono } from 'hono'
import { endpoints } from '../shared/contracts/api.ts'
import { outboxQueueStats } from '../shared/platform/bus/status.ts'
import { createApp } from '../shared/platform/http/app.ts'
import { docsRoutes } from '../shared/platform/http/docs.ts'
import type { AppEnv } from '../shared/platform/http/env.ts'
import { openApiDocument } from '../shared/platform/http/openapi.ts'
import { requireServiceToken } from '../shared/platform/http/service-token.ts'
import { Telemetry } from '../shared/platform/telemetry.ts'
import { version } from '../shared/platform/version.ts'
import type { Monolith } from './wire.ts'

// monolithApp mounts every module's routes on one Hono app, with docs and operations routes
export function monolithApp(wired: Monolith, opts: { url: string; log?: (m: string) => void }) {
  const app: Hono<AppEnv> = createApp({
    service: 'monolith',
    deployment: 'monolith',
    version,
    tokens: wired.tokens,
    telemetry: new Telemetry('monolith'),
    log: opts.log,
  })
  app.use('/internal/*', requireServiceToken(wired.serviceToken))
  for (const routes of wired.routes) app.route('/', routes)
  app.route(
    '/',
    docsRoutes(openApiDocument(endpoints, { title: 'twinstack', version }), 'twinstack'),
  )
  app.get('/_/status', (c) =>
    c.json({
      deployment: 'monolith',
      services: [
        {
          name: 'monolith',
          url: opts.url,
          pid: process.pid,
          healthy: true,
          restarts: 0,
          rssBytes: process.memoryUsage.rss(),
        },
      ],
      breakers: [],
      queues: outboxQueueStats(wired.database.db),
    }),
  )
  return app
}
