import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
} from 'cockatiel'
import { unavailable } from '../../domain/errors.ts'
import type { FaultBoard } from '../chaos.ts'
import { resilience } from '../config.ts'
import type { BreakerBoard } from './breakers.ts'
import { DEPENDENCY_HEADER, domainErrorFromProblem, type Problem } from './problem.ts'
import {
  countHop,
  type OutgoingHeaders,
  remainingBudgetMs,
  setHeader,
  setTraceHeaders,
} from './trace.ts'

// CallInit is fetch's init, with Bun's unix: the socket a call goes through instead of TCP
export type CallInit = RequestInit & { unix?: string }

// Fetch is the fetch signature module clients are built on
export type Fetch = (input: string | URL | Request, init?: CallInit) => Promise<Response>

// Link is a resilient fetch that can also say whether it would refuse a call right now, and
// whose compartments share its breaker (the callee's health is one) but each hold their own
// bulkhead of maxInFlight calls and queue: calls of one compartment that a slow dependency
// holds (checkout waiting on payments) fill only that compartment, and the link's other calls
// (the same service's order reads) keep their own slots
export type Link = Fetch & {
  // true while a call made now would fail at once without reaching the callee: the breaker is
  // open and not yet due for its trial, or the trial is under way (or promised to a caller who
  // asked first); asking when the trial is due grants it, so ask only before making the call
  refusing(): boolean
  // compartment is a fetch over this link with a bulkhead of its own, one per name
  compartment(name: string): Fetch
}

// RemoteOptions describes one link from a caller to a callee
export interface RemoteOptions {
  from: string
  to: string
  board?: BreakerBoard
  // the underlying fetch: the network, or an app's request() in tests
  fetch?: Fetch
  // sent as X-Service-Token so services refuse calls that bypass the gateway
  serviceToken?: string
  headers?: () => Record<string, string>
  timeoutMs?: number
  // a longer (or shorter) own timeout for some calls, by URL: the gateway gives checkout the
  // budget of its whole chain
  timeoutFor?: (url: string) => number | undefined
  // thresholds default to platform/config.ts; tests pass smaller ones
  breakerFailures?: number
  halfOpenAfterMs?: number
  // calls in flight on this link (in each of its compartments); more wait in a queue (see
  // resilience.socketBudget)
  maxInFlight?: number
  // chaos: while from -> to is partitioned, calls fail as if the network dropped them
  faults?: FaultBoard
}

// OutOfBudget is a call the caller's deadline cut short: not the callee's fault, so no breaker
// counts it
class OutOfBudget extends Error {
  constructor(readonly budgetMs: number) {
    super(`the caller's deadline left ${budgetMs} ms`)
  }
}

// CallerGone is a call whose caller stopped waiting (init.signal aborted: the gateway's client
// went away): it leaves its bulkhead's queue or its socket at once, and, like a spent
// deadline, is no failure of the callee and is not retried
class CallerGone extends OutOfBudget {
  constructor() {
    super(0)
    this.message = 'the caller stopped waiting'
  }
}

// UpstreamFailure is a 5xx answer, thrown so the breaker counts it, then handed back
class UpstreamFailure extends Error {
  constructor(readonly response: Response) {
    super(`upstream answered ${response.status}`)
  }
}

// failedOver remembers which link handed back a callee's own 5xx answer: unwrap names that
// callee as the dependency of the error it rebuilds, so a caller that passes the error on
// answers it as a dependency's outage (X-Unavailable-Dependency) and its own callers' breakers
// do not count it against the caller, which is up (the answer objects are not otherwise marked)
const failedOver = new WeakMap<object, string>()

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

// resilientFetch wraps fetch with a timeout, a circuit breaker for this (caller, callee) and
// jittered retries for idempotent methods; failures come out as DomainError 'unavailable'.
// Deadlines: a call waits min(own timeout, what is left of the request's X-Deadline-Ms) and
// sends that on as the callee's X-Deadline-Ms, so a caller's timeout covers the chain under it
export function resilientFetch(opts: RemoteOptions): Link {
  const base = opts.fetch ?? fetch
  const timeoutMs = opts.timeoutMs ?? resilience.timeoutMs
  const breaker = circuitBreaker(
    handleWhen((e) => !(e instanceof OutOfBudget)),
    {
      halfOpenAfter: opts.halfOpenAfterMs ?? resilience.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(opts.breakerFailures ?? resilience.breakerFailures),
    },
  )
  // an open breaker or a spent deadline fails now: waiting a backoff to meet it again would
  // only make the answer slower (a call meeting an open breaker answers at once). Nor is a call
  // that timed out tried again: its callee is slow, and a second wait would double the
  // caller's and pile more calls onto a dependency that cannot keep up
  // Nor is a call retried whose failure opened the breaker (the one that trips it, or a
  // half-open trial that failed): its retry would only meet the open breaker after a backoff
  const retries = retry(
    handleWhen(
      (e) =>
        !(e instanceof BrokenCircuitError) &&
        !(e instanceof OutOfBudget) &&
        !timedOut(e) &&
        breaker.state !== CircuitState.Open,
    ),
    {
      maxAttempts: resilience.retryAttempts - 1,
      backoff: new ExponentialBackoff({
        initialDelay: resilience.retryInitialDelayMs,
        maxDelay: resilience.retryMaxDelayMs,
      }),
    },
  )
  const halfOpenAfter = opts.halfOpenAfterMs ?? resilience.halfOpenAfterMs
  let openedAt = 0
  breaker.onBreak(() => {
    openedAt = Date.now()
  })
  const newBulkhead = () => bulkhead(opts.maxInFlight ?? 64, resilience.maxQueuedPerLink)
  const view = opts.board?.track(opts.from, opts.to)
  if (view && opts.board) {
    const board = opts.board
    breaker.onStateChange((state) => board.transition(view, state))
    breaker.onFailure(() => {
      view.failures++
    })
  }

  async function attempt(
    inFlight: ReturnType<typeof bulkhead>,
    input: string | URL | Request,
    init: RequestInit | undefined,
  ) {
    if (opts.faults?.isPartitioned(opts.from, opts.to)) {
      throw new Error(`network partition between ${opts.from} and ${opts.to}`)
    }
    // a Headers object is the caller's to hand over (the gateway builds one per request), so
    // it is completed in place rather than copied; anything else is copied into a plain object
    // (names in lower case), which fetch reads in one go: a Headers object built field by
    // field costs ~1.5 µs more per call
    const headers = init?.headers instanceof Headers ? init.headers : plainHeaders(init?.headers)
    if (opts.serviceToken) setHeader(headers, 'x-service-token', opts.serviceToken)
    setTraceHeaders(headers)
    if (opts.headers) {
      for (const [k, v] of Object.entries(opts.headers())) setHeader(headers, k.toLowerCase(), v)
    }
    const url = input instanceof Request ? input.url : String(input)
    const own = opts.timeoutFor?.(url) ?? timeoutMs
    const left = remainingBudgetMs()
    const budget = left === undefined ? own : Math.min(own, left)
    if (budget <= 0) throw new OutOfBudget(0)
    setHeader(headers, 'x-deadline-ms', String(budget))
    // the deadline covers the wait for a slot as well as the call itself, and so does the
    // caller's own signal: a call nobody waits for any more gives its place up
    const given = init?.signal ?? undefined
    if (given?.aborted) throw new CallerGone()
    const timeout = AbortSignal.timeout(budget)
    const signal = given ? AbortSignal.any([given, timeout]) : timeout
    let res: Response
    try {
      res = await inFlight.execute(() => base(input, { ...init, headers, signal }), signal)
    } catch (error) {
      if (given?.aborted) throw new CallerGone()
      // cut short by the caller's deadline rather than by this link's own timeout, before the
      // callee had its fair share of it: not the callee's fault
      if (budget < own * resilience.fairBudgetShare && signal.aborted) {
        throw new OutOfBudget(budget)
      }
      throw error
    }
    countHop(bodyBytes(init, headers), res)
    // a 5xx counts against this link, unless the callee says a dependency of its own is down
    if (res.status >= 500 && !res.headers.has(DEPENDENCY_HEADER)) throw new UpstreamFailure(res)
    return res
  }

  const down = (detail: string) => {
    const e = unavailable(detail)
    e.dependency = opts.to
    return e
  }

  const through = (inFlight: ReturnType<typeof bulkhead>): Fetch =>
    async function remoteFetch(input, init) {
      const method = (
        init?.method ?? (input instanceof Request ? input.method : 'GET')
      ).toUpperCase()
      const once = () => breaker.execute(() => attempt(inFlight, input, init))
      try {
        return await (IDEMPOTENT.has(method) ? retries.execute(once) : once())
      } catch (error) {
        if (error instanceof UpstreamFailure) {
          failedOver.set(error.response, opts.to)
          return error.response
        }
        if (error instanceof BrokenCircuitError) {
          throw down(`${opts.to} is unavailable (circuit open)`)
        }
        if (error instanceof BulkheadRejectedError) {
          throw down(`too many calls in flight to ${opts.to}`)
        }
        if (error instanceof CallerGone) {
          throw down(`the caller stopped waiting for ${opts.to}`)
        }
        if (error instanceof OutOfBudget) {
          throw down(
            `${opts.to} did not answer within the caller's deadline (${error.budgetMs} ms)`,
          )
        }
        if (timedOut(error)) {
          throw down(`${opts.to} did not answer within ${timeoutMs} ms`)
        }
        throw down(`${opts.to} is unreachable (${(error as Error).message})`)
      }
    }

  // once the breaker is due for its trial, the first caller to ask goes ahead and the others
  // are told the link refuses until that trial decides (or another interval passes, if the
  // caller never made the call): a burst of work that would meet the breaker anyway is spared
  let trialGrantedAt = 0
  const refusing = () => {
    if (breaker.state === CircuitState.HalfOpen) return true
    if (breaker.state !== CircuitState.Open) return false
    const now = Date.now()
    if (now - openedAt < halfOpenAfter || now - trialGrantedAt < halfOpenAfter) return true
    trialGrantedAt = now
    return false
  }
  const compartments = new Map<string, Fetch>()
  return Object.assign(through(newBulkhead()), {
    refusing,
    compartment(name: string): Fetch {
      let f = compartments.get(name)
      if (!f) {
        f = through(newBulkhead())
        compartments.set(name, f)
      }
      return f
    },
  })
}

// timedOut says whether a call ended on its deadline (waiting for a slot, or for the answer)
const timedOut = (e: unknown) =>
  e instanceof TaskCancelledError || (e instanceof DOMException && e.name === 'TimeoutError')

// Answer is the part of a Response (or of hc's ClientResponse) that unwrap reads
type Answer = { ok: boolean; status: number; json(): Promise<any> }

// plainHeaders copies a call's headers (any form fetch takes) into a plain object, names in
// lower case so that setHeader replaces rather than duplicates
function plainHeaders(given: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!given) return out
  const entries = Array.isArray(given) ? given : Object.entries(given as Record<string, string>)
  for (const [k, v] of entries) out[k!.toLowerCase()] = v!
  return out
}

// bodyBytes is the size of a request body: its Content-Length, or the length of a string body
function bodyBytes(init: RequestInit | undefined, headers: OutgoingHeaders): number {
  const declared = Number(
    headers instanceof Headers ? headers.get('Content-Length') : headers['content-length'],
  )
  if (declared) return declared
  return typeof init?.body === 'string' ? Buffer.byteLength(init.body) : 0
}

// unwrap reads a module's JSON answer, or rebuilds the DomainError it answered with
export async function unwrap<T>(res: Answer): Promise<T> {
  if (res.ok) return (await res.json()) as T
  let body: Partial<Problem> | null = null
  try {
    body = (await res.json()) as Partial<Problem>
  } catch {
    body = null
  }
  const error = domainErrorFromProblem(res.status, body)
  // a dependency of the callee's own, else the callee itself when the 5xx is its own failure
  const dependency =
    (res as { headers?: Headers }).headers?.get?.(DEPENDENCY_HEADER) ?? failedOver.get(res)
  if (dependency) error.dependency = dependency
  throw error
}

// unwrapOrNull is unwrap for lookups where 404 means "no such thing"
export async function unwrapOrNull<T>(res: Answer): Promise<T | null> {
  if (res.status === 404) return null
  return unwrap<T>(res)
}
