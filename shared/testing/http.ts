import { expect } from 'bun:test'
import { isDomainError } from '../domain/errors.ts'

// loginAt logs in at a deployment's base URL and returns the bearer token
export async function loginAt(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (!res.ok) throw new Error(`login as ${email} failed with ${res.status}`)
  return ((await res.json()) as { token: string }).token
}

// kindOf tells which DomainError a call failed with ('none' when it succeeded)
export async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'none'
  } catch (e) {
    if (isDomainError(e)) return e.kind
    throw e
  }
}

// expectProblem asserts an RFC 9457 problem+json answer with the given status, and returns it
export async function expectProblem(res: Response, status: number): Promise<Record<string, any>> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toStartWith('application/problem+json')
  const body = (await res.json()) as Record<string, any>
  // separate checks: Bun 1.4.5's toMatchObject writes asymmetric matchers into the object
  expect(body.status).toBe(status)
  expect(typeof body.title).toBe('string')
  expect(typeof body.detail).toBe('string')
  return body
}
