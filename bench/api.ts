// The bench's client of the public API and the operations routes (both deployments alike)

// CARD is the demo card that always succeeds
export const CARD = { number: '4242424242424242', expiry: '12/39', cvc: '123' }
export const ADMIN = { email: 'admin@twinstack.dev', password: 'admin-password' }
export const demoUser = (n: number) => ({
  email: `demo${n}@twinstack.dev`,
  password: 'demo-password',
})

const json = { 'Content-Type': 'application/json' }

// call sends one request and returns status, headers and parsed body (null if not JSON)
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; timeoutMs?: number } = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : json),
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  })
  const text = await res.text()
  let body: any = null
  try {
    body = JSON.parse(text)
  } catch {
    body = null
  }
  return { status: res.status, headers: res.headers, body }
}

// login returns a bearer token (and the user's id)
export async function login(base: string, who: { email: string; password: string }) {
  let r = await call(base, 'POST', '/api/auth/login', { body: who })
  // argon2 on a busy machine can outlast the gateway's deadline: a 503 is worth a retry
  for (let attempt = 1; r.status === 503 && attempt < 4; attempt++) {
    await Bun.sleep(250 * attempt)
    r = await call(base, 'POST', '/api/auth/login', { body: who })
  }
  if (r.status !== 200) throw new Error(`login ${who.email} on ${base}: ${r.status}`)
  return { token: r.body.token as string, userId: r.body.user.id as string }
}

// loginMany logs in demo users 1..n, a few at a time (passwords are argon2id: not free)
export async function loginMany(base: string, n: number) {
  const out: { token: string; userId: string }[] = []
  for (let i = 1; i <= n; i += 8) {
    const batch = Array.from({ length: Math.min(8, n - i + 1) }, (_, k) =>
      login(base, demoUser(i + k)),
    )
    out.push(...(await Promise.all(batch)))
  }
  return out
}

// Status is GET /_/status
export interface Status {
  deployment: string
  services: {
    name: string
    replica?: number
    url?: string
    pid: number | null
    healthy: boolean
    restarts: number
    rssBytes: number
  }[]
  breakers: { from: string; to: string; state: string; failures: number; changedAt?: string }[]
  queues: { topic: string; pending: number; deadLettered: number; oldestPendingMs: number | null }[]
}

// status reads /_/status, or null when the deployment does not answer
export async function status(base: string, timeoutMs = 1500): Promise<Status | null> {
  try {
    const r = await call(base, 'GET', '/_/status', { timeoutMs })
    return r.status === 200 ? (r.body as Status) : null
  } catch {
    return null
  }
}

// control sends a supervisor command (micro): kill, stop, start or restart a service
export async function control(base: string, admin: string, action: string, service: string) {
  const r = await call(base, 'POST', `/_/control/${action}/${service}`, {
    token: admin,
    timeoutMs: 60_000,
  })
  if (r.status !== 200) throw new Error(`control ${action} ${service}: ${r.status}`)
  return r.body
}

// chaos sends a chaos command (POST /_/chaos/<action>)
export const chaos = (base: string, admin: string, action: string, body: unknown) =>
  call(base, 'POST', `/_/chaos/${action}`, { token: admin, body })

// hasChaos tells whether a deployment serves the chaos routes (GET /_/chaos)
export async function hasChaos(base: string, admin: string): Promise<boolean> {
  try {
    const r = await call(base, 'GET', '/_/chaos', { token: admin })
    return r.status === 200
  } catch {
    return false
  }
}

// pendingMessages sums what the queues (micro) or outboxes (monolith) still hold
export async function pendingMessages(base: string): Promise<number | null> {
  const s = await status(base)
  if (!s) return null
  return s.queues.reduce((n, q) => n + q.pending, 0)
}
