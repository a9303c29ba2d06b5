import { beforeAll, describe, expect, it } from 'bun:test'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sign } from 'hono/jwt'
import { alive } from './process.ts'

// The security suite of issue 10: every finding of the hostile-user probe as a test, and a
// bounded fuzz of every endpoint of the OpenAPI document. It talks to a running deployment
// started with SECURITY_ENV (and nothing else: no --demo, no --open-ops), so the very same
// suite runs against the monolith and the micro gateway.

// SECURITY_ENV is the environment the suite's deployments run with: small, long windows so the
// limits are reachable in a test, and 127.0.0.1 as the trusted proxy, so the suite can speak
// for many clients through X-Forwarded-For while raw sockets from 127.0.0.2… are untrusted peers
export const SECURITY_ENV = {
  TWINSTACK_RATE_LIMIT: '400',
  TWINSTACK_RATE_WINDOW_MS: '120000',
  TWINSTACK_AUTH_LIMIT: '10',
  TWINSTACK_AUTH_ADDRESS_LIMIT: '40',
  TWINSTACK_AUTH_WINDOW_MS: '120000',
  TWINSTACK_TRUSTED_PROXIES: '127.0.0.1',
  TWINSTACK_METRICS_TOKEN: `metrics-${randomBytes(16).toString('hex')}`,
}

// the secret every default install signed with before issue 10
const OLD_SECRET = 'twinstack-dev-secret-change-me'

// SecurityTarget is a running deployment under test
export interface SecurityTarget {
  deployment: 'monolith' | 'micro'
  url: string
  dataDir: string
  // the command that starts this deployment (for the --production refusals), and the env
  // that gives a second instance free ports and its own data directory
  command: string[]
  freshEnv(dataDir: string): Record<string, string>
}

// RawAnswer is what came back on a raw socket
interface RawAnswer {
  status: number
  head: string
  body: string
}

// raw sends bytes on a socket of its own (optionally from another loopback address, so the
// deployment sees a different peer) and reads until the server closes or waitMs passes
function raw(
  url: string,
  data: string,
  opts: { from?: string; waitMs?: number } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    let out = ''
    const s = connect({ host: hostname, port: Number(port), localAddress: opts.from }, () =>
      s.write(data),
    )
    const done = () => {
      clearTimeout(timer)
      const [head = '', body = ''] = out.split('\r\n\r\n', 2)
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body })
    }
    const timer = setTimeout(() => s.destroy(), opts.waitMs ?? 10_000)
    s.setEncoding('utf8')
    s.on('data', (d) => {
      out += d
    })
    s.on('close', done)
    s.on('error', () => {})
  })
}

// request writes one complete HTTP/1.1 request that closes its connection
const request = (method: string, path: string, headers: Record<string, string>, body = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`

// a fresh client address every call (the suite's requests come through the trusted proxy)
let client = 0
const nextClient = () => {
  client++
  return `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`
}

// in parallel, a few at a time
async function inBatches<T>(n: number, batch: number, fn: (i: number) => Promise<T>) {
  const out: T[] = []
  for (let i = 0; i < n; i += batch) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, k) => fn(i + k)))),
    )
  }
  return out
}

// securitySuite registers the suite against whatever target() returns when the tests run
export function securitySuite(name: string, target: () => SecurityTarget) {
  const t = () => target()
  async function call(
    method: string,
    path: string,
    opts: { token?: string; json?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { 'X-Forwarded-For': nextClient(), ...opts.headers }
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`
    let body: string | undefined
    if (opts.json !== undefined || opts.raw !== undefined) {
      headers['Content-Type'] ??= 'application/json'
      body = opts.raw ?? JSON.stringify(opts.json)
    }
    const res = await fetch(`${t().url}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(15_000),
    })
    const text = await res.text()
    let parsed: Record<string, any> = {}
    try {
      parsed = text ? JSON.parse(text) : {}
    } catch {
      parsed = { text }
    }
    return { status: res.status, headers: res.headers, body: parsed, text }
  }
  const isProblem = (a: { status: number; headers: Headers; body: Record<string, any> }) =>
    (a.headers.get('content-type') ?? '').startsWith('application/problem+json') &&
    a.body.status === a.status &&
    typeof a.body.title === 'string'
  const expectProblem = (a: Awaited<ReturnType<typeof call>>, status: number) => {
    expect(a.status).toBe(status)
    expect(isProblem(a)).toBe(true)
  }

  // what the deployment signs with and the admin logs in with: generated in the data dir (the
  // code before issue 10 had the constants instead)
  const secrets = () => {
    const file = join(t().dataDir, 'secrets.json')
    if (!existsSync(file)) return { jwtSecret: OLD_SECRET, adminPassword: 'admin-password' }
    return JSON.parse(readFileSync(file, 'utf8')) as { jwtSecret: string; adminPassword: string }
  }
  const forge = (claims: Record<string, unknown>, secret = secrets().jwtSecret) => {
    const now = Math.floor(Date.now() / 1000)
    return sign(
      {
        sub: 'u-admin',
        email: 'admin@twinstack.dev',
        role: 'admin',
        iss: 'twinstack',
        aud: `twinstack-${t().deployment}`,
        iat: now,
        exp: now + 600,
        ...claims,
      },
      secret,
      'HS256',
    )
  }
  const login = async (email: string, password: string) => {
    const a = await call('POST', '/api/auth/login', { json: { email, password } })
    if (a.status !== 200) throw new Error(`login ${email}: ${a.status} ${a.text}`)
    return a.body.token as string
  }

  describe(`Security (${name})`, () => {
    let admin = ''
    let me = { email: '', password: 'correct horse battery staple', token: '' }

    beforeAll(async () => {
      admin = await login('admin@twinstack.dev', secrets().adminPassword)
      me.email = `sec-${randomUUID()}@example.com`
      const reg = await call('POST', '/api/auth/register', {
        json: { email: me.email, password: me.password, name: 'Security Suite' },
      })
      expect(reg.status).toBe(201)
      me = { ...me, token: await login(me.email, me.password) }
    }, 30_000)

    describe('1. no forged admin', () => {
      it('refuses an admin token signed with the old built-in secret', async () => {
        const token = await forge({}, OLD_SECRET)
        expectProblem(await call('GET', '/api/reports/sales', { token }), 401)
      }, 30_000)

      it('refuses tokens without exp, for a user that does not exist, or for the other deployment', async () => {
        const other = t().deployment === 'monolith' ? 'micro' : 'monolith'
        // the control: a well-formed admin token is accepted, so the refusals below are real
        expect((await call('GET', '/api/reports/sales', { token: await forge({}) })).status).toBe(
          200,
        )
        for (const claims of [
          { exp: undefined },
          { sub: 'u-ghost' },
          { aud: `twinstack-${other}` },
          { aud: undefined },
          { iss: undefined },
          { exp: Math.floor(Date.now() / 1000) - 10 },
        ]) {
          const token = await forge(claims)
          expectProblem(await call('GET', '/api/reports/sales', { token }), 401)
        }
      }, 30_000)

      it('generates the admin password into the data dir (0600); the demo logins are off', async () => {
        const file = join(t().dataDir, 'secrets.json')
        expect(existsSync(file)).toBe(true)
        expect(statSync(file).mode & 0o777).toBe(0o600)
        const demoAdmin = await call('POST', '/api/auth/login', {
          json: { email: 'admin@twinstack.dev', password: 'admin-password' },
        })
        expectProblem(demoAdmin, 401)
        const demoUser = await call('POST', '/api/auth/login', {
          json: { email: 'demo1@twinstack.dev', password: 'demo-password' },
        })
        expectProblem(demoUser, 401)
      }, 30_000)

      it('pre-fills no credentials in any page', async () => {
        for (const page of ['/_/dashboard', '/docs']) {
          const a = await call('GET', page)
          expect(a.status).toBe(200)
          expect(a.text).not.toContain('admin-password')
          expect(a.text).not.toContain('demo-password')
          expect(a.text).not.toMatch(/<input[^>]*type="(email|password)"[^>]*value=/)
        }
      }, 30_000)

      it('refuses --production with the demo logins or a short secret', async () => {
        const cases: [string[], Record<string, string>, RegExp][] = [
          [['--production', '--demo'], {}, /refuses --demo/],
          [['--production'], { JWT_SECRET: 'short-secret' }, /shorter than 32 bytes/],
          [[], { NODE_ENV: 'production', TWINSTACK_ADMIN_PASSWORD: 'admin-password' }, /demo/],
        ]
        for (const [args, env, why] of cases) {
          const dir = mkdtempSync(join(tmpdir(), 'twinstack-refuse-'))
          try {
            const proc = Bun.spawn([...t().command, ...args], {
              env: { ...process.env, ...t().freshEnv(dir), ...env },
              stdout: 'pipe',
              stderr: 'pipe',
            })
            // a refusal is immediate; a deployment that starts instead is stopped after a while
            const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000)
            const code = await proc.exited
            clearTimeout(timer)
            const err = await new Response(proc.stderr as ReadableStream).text()
            expect(proc.signalCode).toBeNull()
            expect(code).not.toBe(0)
            expect(err).toMatch(why)
          } finally {
            rmSync(dir, { recursive: true, force: true })
          }
        }
      }, 70_000)
    })

    describe('2. a client cannot open a breaker', () => {
      it('answers 20 truncated uploads 408 problem+json, and every breaker stays closed', async () => {
        const truncated = `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email":"a@b.c","password":`
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => raw(t().url, truncated, { waitMs: 10_000 })),
        )
        for (const a of answers) {
          expect(a.status).toBe(408)
          expect(a.head.toLowerCase()).toContain('content-type: application/problem+json')
        }
        const status = await call('GET', '/_/status', { token: admin })
        expect(status.status).toBe(200)
        // closed, and not one failure counted: the uploads never reached a service
        for (const b of status.body.breakers as { state: string; failures: number }[]) {
          expect(b.state).toBe('closed')
          expect(b.failures).toBe(0)
        }
        expect(typeof (await login(me.email, me.password))).toBe('string')
      }, 30_000)
    })

    describe('3. the rate limit holds', () => {
      const over = Number(SECURITY_ENV.TWINSTACK_RATE_LIMIT) + 5
      const flood = (from: string, make: (i: number) => string) =>
        inBatches(over, 25, (i) => raw(t().url, make(i), { from }))
      const expect429 = (answers: RawAnswer[]) => {
        const limited = answers.filter((a) => a.status === 429)
        expect(limited.length).toBeGreaterThan(0)
        expect(limited[0]!.head).toMatch(/retry-after: \d+/i)
        expect(limited[0]!.head.toLowerCase()).toContain('application/problem+json')
        expect(answers.every((a) => a.status > 0 && a.status < 500)).toBe(true)
      }

      it('keys an untrusted peer by its address, whatever X-Forwarded-For it claims', async () => {
        expect429(
          await flood('127.0.0.2', (i) =>
            request('GET', '/api/products?limit=1', { 'X-Forwarded-For': `192.0.2.${i % 250}` }),
          ),
        )
      }, 30_000)

      it('counts refused tokens, and one address exhausted leaves the others alone', async () => {
        expect429(
          await flood('127.0.0.3', () =>
            request('GET', '/api/notifications', { Authorization: 'Bearer not.a.token' }),
          ),
        )
        const other = await raw(
          t().url,
          request(
            'POST',
            '/api/auth/login',
            { 'Content-Type': 'application/json' },
            JSON.stringify({ email: me.email, password: me.password }),
          ),
          { from: '127.0.0.4' },
        )
        expect(other.status).toBe(200)
      }, 30_000)

      it('limits the operations routes too', async () => {
        expect429(await flood('127.0.0.5', () => request('GET', '/_/status', {})))
      }, 30_000)

      it('throttles password guessing per account, whichever address it comes from', async () => {
        const email = `guess-${randomUUID()}@example.com`
        const password = 'the right password'
        expect(
          (await call('POST', '/api/auth/register', { json: { email, password, name: 'G' } }))
            .status,
        ).toBe(201)
        for (let i = 0; i < 30; i++) {
          const a = await call('POST', '/api/auth/login', {
            json: { email, password: `wrong-${i}` },
          })
          expect([401, 429]).toContain(a.status)
        }
        const right = await call('POST', '/api/auth/login', { json: { email, password } })
        expectProblem(right, 429)
        expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)
      }, 60_000)

      it('throttles logins per address across accounts', async () => {
        const from = nextClient()
        const answers = await inBatches(45, 5, (i) =>
          call('POST', '/api/auth/login', {
            json: { email: `nobody-${i}-${randomUUID()}@example.com`, password: 'x' },
            headers: { 'X-Forwarded-For': from },
          }),
        )
        expect(answers.some((a) => a.status === 429 && isProblem(a))).toBe(true)
      }, 60_000)
    })

    describe('4. one Id on both deployments', () => {
      it('answers control characters and padding in ids with 400', async () => {
        for (const bad of ['%00', '%09', '%0a', '%20', '%20%20', '%0d%0a', '%7f']) {
          expectProblem(await call('GET', `/api/products/p-0001${bad}`), 400)
          expectProblem(await call('GET', `/api/products/${bad}p-0001/reviews`), 400)
          expectProblem(await call('GET', `/api/orders/o${bad}`, { token: me.token }), 400)
        }
        const review = await call('POST', '/api/products/p-0009%00/reviews', {
          token: me.token,
          json: { rating: 5, text: 'hidden' },
        })
        expectProblem(review, 400)
      }, 30_000)
    })

    describe('6. operations are not open to the world', () => {
      const ops = ['/_/status', '/_/metrics', '/_/dashboard/stream']

      it('answers the operations routes only to admins (and /_/metrics to the metrics token)', async () => {
        for (const path of ops) {
          expectProblem(await call('GET', path), 401)
          expectProblem(await call('GET', path, { token: me.token }), 403)
        }
        expect((await call('GET', '/_/status', { token: admin })).status).toBe(200)
        expect((await call('GET', '/_/metrics', { token: admin })).status).toBe(200)
        const metrics = SECURITY_ENV.TWINSTACK_METRICS_TOKEN
        expect((await call('GET', '/_/metrics', { token: metrics })).status).toBe(200)
        expectProblem(await call('GET', '/_/status', { token: metrics }), 401)
        const stream = await fetch(`${t().url}/_/dashboard/stream`, {
          headers: { Authorization: `Bearer ${admin}`, 'X-Forwarded-For': nextClient() },
        })
        expect(stream.status).toBe(200)
        await stream.body?.cancel()
      }, 30_000)

      it('answers /_/local on a service port only with the service token', async () => {
        const status = await call('GET', '/_/status', { token: admin })
        const urls = (status.body.services as { name: string; url: string }[])
          .filter((s) => s.name !== 'gateway' && s.name !== 'monolith')
          .map((s) => s.url)
        if (t().deployment === 'micro') expect(urls.length).toBeGreaterThan(10)
        for (const url of urls) {
          for (const headers of [{}, { 'X-Service-Token': 'guess' }] as Record<string, string>[]) {
            const res = await fetch(`${url}/_/local`, { headers })
            expect(res.status).toBe(403)
            expect(res.headers.get('content-type')).toStartWith('application/problem+json')
          }
        }
      }, 30_000)

      it('sends CSP without inline script, and Permissions-Policy, on every HTML page', async () => {
        for (const page of ['/_/dashboard', '/docs']) {
          const a = await call('GET', page)
          expect(a.headers.get('content-type')).toContain('text/html')
          const csp = a.headers.get('content-security-policy') ?? ''
          expect(csp).toMatch(/script-src 'self'(;|$)/)
          expect(csp).toContain("frame-ancestors 'none'")
          expect(a.headers.get('permissions-policy')).toContain('camera=()')
          // every script of the page comes from a file (no inline code to allow)
          for (const tag of a.text.match(/<script[^>]*>[^<]*<\/script>/g) ?? [])
            expect(tag).toMatch(/src="\/[^"]+"[^>]*><\/script>$/)
        }
      }, 30_000)

      it("answers Bun's own refusals (huge headers, bad request lines) and stays up", async () => {
        // Bun's HTTP parser answers these before our code runs, with an empty body: the status
        // is right but it cannot be problem+json (README "Security")
        const huge = await raw(
          t().url,
          `GET /_/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
        )
        expect(huge.status).toBe(431)
        expect((await raw(t().url, 'NONSENSE\r\n\r\n')).status).toBe(400)
        expect((await raw(t().url, 'GET / HTTP/9.9\r\nHost: x\r\n\r\n')).status).toBe(505)
        const post = (length: number) =>
          `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n{`
        // over Bun's own ceiling (128 MiB) Bun refuses; under it, above 1 MiB, we do
        expect((await raw(t().url, post(200 * 1024 * 1024))).status).toBe(413)
        const ours = await raw(t().url, post(2 * 1024 * 1024))
        expect(ours.status).toBe(413)
        expect(ours.head.toLowerCase()).toContain('content-type: application/problem+json')
        expect((await call('GET', '/_/health')).status).toBe(200)
      }, 30_000)
    })

    describe('fuzz of every OpenAPI endpoint', () => {
      it('answers malformed, mistyped, huge, deep, NUL and traversal input with 4xx problem+json', async () => {
        const doc = (await call('GET', '/openapi.json')).body as {
          paths: Record<string, Record<string, { requestBody?: unknown }>>
        }
        const ids = [
          'p-0001',
          '..%2F..%2Fetc%2Fpasswd',
          '%2e%2e',
          '%00',
          'a%00b',
          '%F0%9F%92%A9',
          '%EF%BF%BF',
          'x'.repeat(300),
          "'%20OR%201=1--",
          '%252e%252e%252f',
        ]
        const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`
        const bodies: { raw: string; type?: string }[] = [
          { raw: '{"email":' },
          { raw: 'not json at all' },
          { raw: '[]' },
          { raw: '"string"' },
          { raw: '12345' },
          { raw: 'null' },
          { raw: deep },
          { raw: JSON.stringify({ a: 'x'.repeat(1_200_000) }) },
          {
            raw: JSON.stringify({
              email: 'a\u0000@b.c',
              password: '\ud800',
              name: '\u202e\u0000',
              rating: '5',
              text: 5,
              items: [{ productId: '../../x', quantity: -1 }],
              card: { number: '\u0000', expiry: '99/99', cvc: [] },
              amount: 'NaN',
              termMonths: 1e308,
              monthlyIncome: -1,
              purpose: '\u0000'.repeat(10),
            }),
          },
          { raw: '{"__proto__":{"role":"admin"},"constructor":{"prototype":{"role":"admin"}}}' },
          { raw: '{"email":"a@b.c"}', type: 'text/plain' },
          { raw: '\u0000\u0001\u0002' },
        ]
        const queries = [
          '?limit=-1&offset=abc',
          '?limit=1e9',
          '?q=%00%ff&category=..%2F',
          '?from=x&to=%00',
        ]
        const failures: string[] = []
        let sent = 0
        const check = async (method: string, path: string, opts: Parameters<typeof call>[2]) => {
          sent++
          const a = await call(method, path, opts).catch((e: Error) => ({
            status: 0,
            headers: new Headers(),
            body: {},
            text: e.message,
          }))
          if (a.status === 0 || a.status >= 500 || (a.status >= 400 && !isProblem(a)))
            failures.push(`${method} ${path} → ${a.status} ${a.text.slice(0, 120)}`)
        }
        for (const [template, methods] of Object.entries(doc.paths)) {
          for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
            const paths = template.includes('{id}')
              ? ids.map((id) => template.replace('{id}', id))
              : [template]
            const jobs: Promise<void>[] = []
            // anonymous, a customer and the admin in turn (each stays within its rate limit)
            let turn = 0
            const token = () => [undefined, me.token, admin][turn++ % 3]
            for (const [i, path] of paths.entries()) {
              if (method === 'GET') {
                for (const q of queries) jobs.push(check(method, `${path}${q}`, { token: token() }))
                jobs.push(check(method, path, { token: token() }))
              } else if (i < 3) {
                for (const b of bodies) {
                  jobs.push(
                    check(method, path, {
                      token: token(),
                      raw: b.raw,
                      headers: b.type ? { 'Content-Type': b.type } : {},
                    }),
                  )
                }
              } else jobs.push(check(method, path, { token: token(), raw: '{}' }))
            }
            await Promise.all(jobs)
          }
        }
        expect(sent).toBeGreaterThan(300)
        expect(failures).toEqual([])
        // and everything is still up
        const status = await call('GET', '/_/status', { token: admin })
        expect(status.status).toBe(200)
        for (const s of status.body.services as { pid: number; healthy: boolean }[]) {
          expect(s.healthy).toBe(true)
          expect(alive(s.pid)).toBe(true)
        }
      }, 60_000)
    })
  })
}
