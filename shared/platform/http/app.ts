import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import { clientBody, type LimitSettings } from '../config.ts'
import { runtime } from '../runtime.ts'
import type { Telemetry } from '../telemetry.ts'
import {
  checkOps,
  checkValidToken,
  identifyRequest,
  type OpsAccess,
  requireOps,
  requireValidToken,
  type TokenIssuer,
  type UserExists,
} from './auth.ts'
import type { AppEnv } from './env.ts'
import { onError, problem } from './problem.ts'
import { type HitStore, rateLimit } from './rate-limit.ts'
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
  // who may read /_/status, /_/dashboard/stream, /_/metrics, /_/traces (default: admins only)
  ops?: OpsAccess
  // the rate limiter of a process that faces clients (monolith, gateway); none on services
  limits?: { settings: LimitSettings; store: HitStore }
  // whether a token's subject still exists (processes that can tell: monolith, gateway)
  userExists?: UserExists
}

// CSP allows scripts, styles and connections to this origin only: no inline script anywhere
// (Swagger UI's start-up lives in /docs/init.js); inline styles stay allowed for Swagger UI
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

// PERMISSIONS turns off every powerful browser feature for our pages
const PERMISSIONS = [
  'camera',
  'microphone',
  'geolocation',
  'payment',
  'usb',
  'fullscreen',
  'accelerometer',
  'gyroscope',
  'magnetometer',
  'clipboard-read',
  'display-capture',
]
  .map((f) => `${f}=()`)
  .join(', ')

// addPagePolicies adds Content-Security-Policy and Permissions-Policy to an HTML answer (only
// those: JSON between services need not carry them on every hop)
export function addPagePolicies(c: Context): void {
  if (c.res.headers.get('Content-Type')?.startsWith('text/html')) {
    c.res.headers.set('Content-Security-Policy', CSP)
    c.res.headers.set('Permissions-Policy', PERMISSIONS)
  }
}

// pagePolicies is addPagePolicies as a middleware
export function pagePolicies(): MiddlewareHandler<AppEnv> {
  return async function policiesOnPages(c, next) {
    await next()
    addPagePolicies(c)
  }
}

const MAX_BODY_CHUNKS = 1 << 16

// a body of known length may take idleMs plus a second per SLOW_RATE bytes (a slow link)
const SLOW_RATE = 64 * 1024

const LATE = Symbol('late')

// within races a promise against a deadline, clearing the timer either way
async function within<T>(p: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), Math.max(0, ms))
  })
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

// readChunked reads a body of unknown length chunk by chunk, each within the idle deadline
async function readChunked(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array | 408 | 413> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  const started = Date.now()
  for (;;) {
    const wait = Math.min(clientBody.idleMs, clientBody.totalMs - (Date.now() - started))
    const read = await within(reader.read(), wait)
    if (read === LATE) {
      reader.cancel().catch(() => {})
      return 408
    }
    if (read.done) break
    size += read.value.byteLength
    if (size > maxBytes || chunks.length >= MAX_BODY_CHUNKS) {
      reader.cancel().catch(() => {})
      return 413
    }
    chunks.push(read.value)
  }
  const buffer = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    buffer.set(chunk, at)
    at += chunk.byteLength
  }
  return buffer
}

// readBoundedBody reads the client's body before any handler runs, within clientBody's deadlines
// and size: a client that stops sending (a truncated or slow upload) gets 408 problem+json, one
// that sends too much 413, and nothing downstream (a module, an upstream service behind the
// gateway) waits for a client or counts its slowness as a failure. Handlers read the buffer
// through c.req as usual. Answers the refusal, or undefined once the body is read (or absent)
export async function readBoundedBody(
  c: Context<AppEnv>,
  maxBytes: number = clientBody.maxBytes,
): Promise<Response | undefined> {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return
  const body = c.req.raw.body
  if (!body) return
  const refuse = (status: number, detail: string) => {
    // the rest of this request may still be on the wire: the connection cannot be reused
    c.header('Connection', 'close')
    return problem(c, status, detail)
  }
  const length = c.req.header('Content-Length')
  const declared = length === undefined ? null : Number(length)
  if (declared !== null && !(declared <= maxBytes)) return refuse(413, 'request body too large')
  let got: ArrayBuffer | Uint8Array | 408 | 413
  try {
    if (declared !== null) {
      // the common case, in one read: Bun holds the body to its declared length
      const read = c.req.raw.arrayBuffer()
      const ms = Math.min(clientBody.totalMs, clientBody.idleMs + (declared / SLOW_RATE) * 1000)
      const done = await within(read, ms)
      if (done === LATE) read.catch(() => {})
      got = done === LATE ? 408 : done
    } else got = await readChunked(body, maxBytes)
  } catch {
    return refuse(400, 'request body could not be read')
  }
  if (got === 408) return refuse(408, 'request body not received in time')
  if (got === 413) return refuse(413, 'request body too large')
  const buffer = got instanceof Uint8Array ? (got.buffer as ArrayBuffer) : got
  // hono reads json/text/arrayBuffer from this cache from now on; text is decoded once, and
  // only if asked for (json() reads text)
  const cache = c.req.bodyCache as Record<string, unknown>
  cache.arrayBuffer = Promise.resolve(buffer)
  let text: Promise<string> | undefined
  Object.defineProperty(cache, 'text', {
    get: () => {
      text ??= Promise.resolve(new TextDecoder().decode(buffer))
      return text
    },
    enumerable: false,
    configurable: true,
  })
}

// boundedBody is readBoundedBody as a middleware
export function boundedBody(maxBytes: number = clientBody.maxBytes): MiddlewareHandler<AppEnv> {
  return async function bodyBounded(c, next) {
    const refused = await readBoundedBody(c, maxBytes)
    if (refused) return refused
    await next()
  }
}

const startedAt = Date.now()

// createApp builds the Hono app every process starts from: request id, trace, secure headers
// (CSP, Permissions-Policy on pages), the bounded body, token identification, the rate limit,
// access to the operations routes, metrics, problem+json errors and /_/health
export function createApp(opts: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  // request id, trace, X-Hops, secure headers, the pages' policies and metrics: one middleware
  // (see requestContext)
  app.use(
    requestContext(opts.telemetry.recorder(), {
      secureHeaders: opts.secureHeaders,
      finish: addPagePolicies,
    }),
  )
  const ops = opts.ops ?? { open: false, metricsToken: null }
  const { tokens, userExists, maxBodyBytes } = opts
  // a limit of 0 turns the limiter off (TWINSTACK_RATE_LIMIT=0): it then costs no layer
  const limiting = opts.limits !== undefined && opts.limits.settings.limit > 0
  // the token read, the body read (bounded), and, unless a limiter must count the request in
  // between, the ops gate and the refusal of a bad token: one middleware, as each layer costs a
  // request ~0.5 µs. Order matters: the body is read before the limiter, which counts login
  // attempts per account; the limiter runs before a refused token is answered, so bad tokens
  // count
  app.use(async function identifiedAndAllowed(c, next) {
    await identifyRequest(c, tokens, userExists)
    const refused = await readBoundedBody(c, maxBodyBytes)
    if (refused) return refused
    if (!limiting) {
      const path = c.req.path
      if (path === '/_' || path.startsWith('/_/')) checkOps(c, ops)
      checkValidToken(c)
    }
    await next()
  })
  if (opts.limits && limiting) {
    app.use(rateLimit(opts.limits.settings, opts.limits.store, opts.log))
    // the metrics token is no JWT: the ops gate accepts it before a refused token is answered
    app.use('/_/*', requireOps(ops))
    app.use(requireValidToken())
  }
  app.onError(onError(opts.log))
  app.notFound((c) => problem(c, 404, `no route for ${c.req.method} ${c.req.path}`))
  app.get('/_/health', (c) =>
    c.json({
      status: 'ok',
      service: opts.service,
      deployment: opts.deployment,
      version: opts.version,
      runtime,
      uptimeMs: Date.now() - startedAt,
    }),
  )
  app.get('/_/metrics', async (c) => {
    c.header('Content-Type', opts.telemetry.registry.contentType)
    return c.body(await opts.telemetry.text())
  })
  return app
}
