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
