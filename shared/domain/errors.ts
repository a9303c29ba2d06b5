// DomainError is the one error type that crosses module boundaries, in-process or over HTTP.
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rule'
  | 'unavailable'

// statusOf maps an error kind to the HTTP status of api.md
export const statusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  rule: 422,
  unavailable: 503,
}

// DomainError carries a kind (decides the status), a human detail and optional extra members
export class DomainError extends Error {
  // for 'unavailable': the dependency that is down, when it is not the thrower itself, so
  // callers' breakers can tell "this service failed" from "its dependency failed"
  dependency?: string

  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'DomainError'
  }
}

// notFound, conflict, refused, unavailable, forbidden are the common ways to fail
export const notFound = (what: string) => new DomainError('not-found', `${what} not found`)
export const conflict = (detail: string, extra?: Record<string, unknown>) =>
  new DomainError('conflict', detail, extra)
export const refused = (detail: string, extra?: Record<string, unknown>) =>
  new DomainError('rule', detail, extra)
export const unavailable = (detail: string) => new DomainError('unavailable', detail)
export const forbidden = (detail = 'not allowed') => new DomainError('forbidden', detail)
export const unauthorized = (detail = 'authentication required') =>
  new DomainError('unauthorized', detail)

// isDomainError narrows unknown errors thrown across await points
export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError
