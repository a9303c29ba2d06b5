import { AsyncLocalStorage } from 'node:async_hooks'
import type { Context, MiddlewareHandler } from 'hono'

// Trace is the W3C trace context of the request being served
export interface Trace {
  traceId: string
  spanId: string
  requestId: string
  // internal calls made (transitively) to serve this request, and the bytes they moved
  hops: number
  bytes: number
  // when the caller stops waiting (epoch ms), from its X-Deadline-Ms; calls made to serve this
  // request wait no longer than that (see resilientFetch)
  deadline?: number
}

// DEADLINE_HEADER carries the caller's remaining budget in milliseconds to the next hop
export const DEADLINE_HEADER = 'X-Deadline-Ms'
// a budget above this is not a deadline anyone waits for
const MAX_BUDGET_MS = 600_000

const storage = new AsyncLocalStorage<Trace>()
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/

// ids are cut from crypto.randomUUID(), which Bun serves from a buffered pool (about 0.1 µs,
// no syscall), where randomBytes() costs a syscall (2 µs) per id; a UUID's fixed version and
// variant digits are left out, so every digit kept is random
function uuidHex(): string {
  const u = crypto.randomUUID()
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(15, 18) + u.slice(20, 23) + u.slice(24)
}

// newTraceId is a random W3C trace id (32 hex digits)
export const newTraceId = (): string => `${uuidHex()}${uuidHex().slice(0, 2)}`

// newSpanId is a random W3C span id (16 hex digits)
export const newSpanId = (): string => uuidHex().slice(0, 16)

// traceparentOf formats a trace context as a W3C traceparent header (sampled)
export const traceparentOf = (t: { traceId: string; spanId: string }) =>
  `00-${t.traceId}-${t.spanId}-01`

// SECURE_HEADERS are the headers of hono's secureHeaders({ crossOriginResourcePolicy: false })
// (its defaults), set by requestContext in one pass
export const SECURE_HEADERS: readonly (readonly [string, string])[] = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
]

const REQUEST_ID = /^[\w\-=]{1,255}$/

// traceOf continues the caller's trace (or starts one) with a new span for this hop
function traceOf(c: Context, requestId: string): Trace {
  const incoming = TRACEPARENT.exec(c.req.header('traceparent') ?? '')
  const trace: Trace = {
    traceId: incoming?.[1] ?? newTraceId(),
    spanId: newSpanId(),
    requestId,
    hops: 0,
    bytes: 0,
  }
  const budget = Number(c.req.header(DEADLINE_HEADER))
  if (Number.isInteger(budget) && budget >= 0 && budget <= MAX_BUDGET_MS) {
    trace.deadline = Date.now() + budget
  }
  return trace
}

// requestContext is the platform's per-request work as one middleware (every service and the
// monolith run it on every request): the request id (the caller's X-Request-Id if sane, else a
// new one, as hono's requestId), the trace context kept for the rest of the request so outgoing
// calls carry it on, X-Hops and X-Internal-Bytes, the secure headers, and the request's figures
// (record, e.g. Telemetry.recorder()), then finish (more headers of the answer, e.g. the pages'
// policies). secureHeaders: false leaves the secure headers to a
// proxy in front that sets them on every answer it forwards (the gateway). Every header is set
// on the finished response itself, in one pass: c.header() before the handler would build a
// Headers object of its own for the handler's response to copy, and after it would rebuild
// the Response for each header
export function requestContext(
  record: (c: Context, ms: number) => void,
  opts: { secureHeaders?: boolean; finish?: (c: Context) => void } = {},
): MiddlewareHandler {
  const secure = opts.secureHeaders === false ? [] : SECURE_HEADERS
  const finish = opts.finish
  return async function servePlatform(c, next) {
    const start = performance.now()
    const given = c.req.header('X-Request-Id')
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID()
    c.set('requestId' as never, requestId as never)
    const trace = traceOf(c, requestId)
    await storage.run(trace, next)
    const h = c.res.headers
    h.set('X-Request-Id', requestId)
    h.set('traceparent', traceparentOf(trace))
    // the cost of this request in internal traffic: 0 and 0 when everything was in-process
    h.set('X-Hops', String(trace.hops))
    h.set('X-Internal-Bytes', String(trace.bytes))
    for (const [name, value] of secure) h.set(name, value)
    finish?.(c)
    record(c, performance.now() - start)
  }
}

// currentTrace is the trace of the request being served, if any
export const currentTrace = (): Trace | undefined => storage.getStore()

// outgoingTraceHeaders are the headers a call made while serving a request carries on
export function outgoingTraceHeaders(): Record<string, string> {
  const t = storage.getStore()
  if (!t) return {}
  return { traceparent: traceparentOf(t), 'X-Request-Id': t.requestId }
}

// remainingBudgetMs is what is left of the current request's deadline (undefined: none)
export function remainingBudgetMs(): number | undefined {
  const deadline = storage.getStore()?.deadline
  return deadline === undefined ? undefined : Math.max(0, deadline - Date.now())
}

// OutgoingHeaders are a call's headers: the caller's Headers object, or a plain object whose
// names are in lower case
export type OutgoingHeaders = Headers | Record<string, string>

// setHeader sets one header (name in lower case) on either form
export function setHeader(headers: OutgoingHeaders, name: string, value: string): void {
  if (headers instanceof Headers) headers.set(name, value)
  else headers[name] = value
}

// setTraceHeaders puts the headers of outgoingTraceHeaders on an outgoing request's headers
// (no intermediate object: this runs on every internal call)
export function setTraceHeaders(headers: OutgoingHeaders): void {
  const t = storage.getStore()
  if (!t) return
  setHeader(headers, 'traceparent', traceparentOf(t))
  setHeader(headers, 'x-request-id', t.requestId)
}

// countHop adds one internal call (and what the callee reports it spent) to the current request
export function countHop(requestBytes: number, res: Response): void {
  const t = storage.getStore()
  if (!t) return
  const h = res.headers
  const n = (name: string) => Number(h.get(name) ?? 0) || 0
  t.hops += 1 + n('X-Hops')
  t.bytes += requestBytes + n('Content-Length') + n('X-Internal-Bytes')
}
