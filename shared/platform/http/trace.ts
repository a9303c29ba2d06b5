import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'

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

const hex = (bytes: number) => randomBytes(bytes).toString('hex')

// traceparentOf formats a trace context as a W3C traceparent header (sampled)
export const traceparentOf = (t: { traceId: string; spanId: string }) =>
  `00-${t.traceId}-${t.spanId}-01`

// traceContext continues the caller's trace (or starts one) with a new span for this hop, and
// keeps it for the rest of the request so outgoing calls carry it on
export function traceContext(): MiddlewareHandler {
  return async function continueTrace(c, next) {
    const incoming = TRACEPARENT.exec(c.req.header('traceparent') ?? '')
    const trace: Trace = {
      traceId: incoming?.[1] ?? hex(16),
      spanId: hex(8),
      requestId: (c.get('requestId' as never) as string | undefined) ?? hex(8),
      hops: 0,
      bytes: 0,
    }
    const budget = Number(c.req.header(DEADLINE_HEADER))
    if (Number.isInteger(budget) && budget >= 0 && budget <= MAX_BUDGET_MS) {
      trace.deadline = Date.now() + budget
    }
    c.header('traceparent', traceparentOf(trace))
    await storage.run(trace, next)
    // the cost of this request in internal traffic: 0 and 0 when everything was in-process
    c.header('X-Hops', String(trace.hops))
    c.header('X-Internal-Bytes', String(trace.bytes))
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

// countHop adds one internal call (and what the callee reports it spent) to the current request
export function countHop(requestBytes: number, res: Response): void {
  const t = storage.getStore()
  if (!t) return
  const n = (name: string) => Number(res.headers.get(name) ?? 0) || 0
  t.hops += 1 + n('X-Hops')
  t.bytes += requestBytes + n('Content-Length') + n('X-Internal-Bytes')
}
