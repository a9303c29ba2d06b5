import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Telemetry } from '../telemetry.ts'
import { identify, type TokenIssuer } from './auth.ts'
import type { AppEnv } from './env.ts'
import { onError, problem } from './problem.ts'
import { requestContext } from './trace.ts'

// AppOptions describes the process an app runs in
export interface AppOptions {
  service: string
  deployment: 'monolith' | 'micro'
  version: string
  tokens: TokenIssuer
  telemetry: Telemetry
  maxBodyBytes?: number
  // false when every answer reaches users through a proxy that adds the secure headers itself
  secureHeaders?: boolean
  log?: (msg: string) => void
}

const startedAt = Date.now()

// createApp builds the Hono app every process starts from: request id, trace, secure headers, body
// limit, metrics, token identification, problem+json errors and /_/health
export function createApp(opts: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  // request id, trace, X-Hops, secure headers and metrics: one middleware (see requestContext)
  app.use(requestContext(opts.telemetry.recorder(), { secureHeaders: opts.secureHeaders }))
  app.use(
    bodyLimit({
      maxSize: opts.maxBodyBytes ?? 1024 * 1024,
      onError: (c) => problem(c, 413, 'request body too large'),
    }),
  )
  app.use(identify(opts.tokens))
  app.onError(onError(opts.log))
  app.notFound((c) => problem(c, 404, `no route for ${c.req.method} ${c.req.path}`))
  app.get('/_/health', (c) =>
    c.json({
      status: 'ok',
      service: opts.service,
      deployment: opts.deployment,
      version: opts.version,
      uptimeMs: Date.now() - startedAt,
    }),
  )
  app.get('/_/metrics', async (c) => {
    c.header('Content-Type', opts.telemetry.registry.contentType)
    return c.body(await opts.telemetry.text())
  })
  return app
}
