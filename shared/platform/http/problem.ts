import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { DomainError, type ErrorKind, statusOf } from '../../domain/errors.ts'

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

const kindOfStatus = Object.fromEntries(
  Object.entries(statusOf).map(([kind, status]) => [status, kind as ErrorKind]),
) as Record<number, ErrorKind>

// Problem is an RFC 9457 problem document
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  errors?: unknown
  [member: string]: unknown
}

// DEPENDENCY_HEADER names the dependency whose outage a 503 reports (not the answerer's own)
export const DEPENDENCY_HEADER = 'X-Unavailable-Dependency'

// problemType names a problem kind as a stable URI
export const problemType = (kind: string) => `https://twinstack.dev/problems/${kind}`

// problem writes an application/problem+json response
export function problem(
  c: Context,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
): Response {
  const kind = kindOfStatus[status] ?? (status >= 500 ? 'internal' : 'error')
  const body: Problem = {
    type: problemType(kind),
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extra,
  }
  if (status === 503 && !c.res.headers.get('Retry-After')) c.header('Retry-After', '1')
  c.header('Content-Type', 'application/problem+json')
  return c.body(JSON.stringify(body), status as ContentfulStatusCode)
}

// onError turns any thrown error into problem+json, never a stack trace
export function onError(log: (msg: string) => void = console.error) {
  return function problemOnError(err: Error, c: Context): Response {
    if (err instanceof DomainError) {
      if (err.dependency) c.header(DEPENDENCY_HEADER, err.dependency)
      return problem(c, statusOf[err.kind], err.message, err.extra)
    }
    if (err instanceof HTTPException) {
      const status = err.status
      if (status === 413) return problem(c, 413, 'request body too large')
      const detail = err.message || TITLES[status] || 'error'
      // hono's JSON parser reports malformed bodies as 400 HTTPException
      return problem(c, status, detail)
    }
    log(`unhandled error on ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`)
    return problem(c, 500, 'internal error')
  }
}

// domainErrorFromProblem rebuilds the DomainError a remote module threw, from its problem body
export function domainErrorFromProblem(status: number, body: Partial<Problem> | null): DomainError {
  const kind = kindOfStatus[status] ?? (status >= 500 ? 'unavailable' : 'invalid')
  const { type: _t, title: _ti, status: _s, detail, ...extra } = body ?? {}
  return new DomainError(kind, detail ?? `remote call failed with ${status}`, extra)
}

// serverError is Bun.serve's error handler: whatever escapes the app still answers problem+json
export function serverError(error: Error): Response {
  console.error(`unhandled server error: ${error.stack ?? error.message}`)
  return new Response(
    JSON.stringify({
      type: problemType('internal'),
      title: TITLES[500],
      status: 500,
      detail: 'internal error',
    }),
    { status: 500, headers: { 'Content-Type': 'application/problem+json' } },
  )
}
