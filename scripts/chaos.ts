// The chaos CLI: break any service (or monolith module) on purpose, on whichever deployment runs.
//   npm run chaos -- <action> <target> [args]     (or the binary: twinstack chaos …)
// It talks to TWINSTACK_URL, else to the micro gateway on :4000, else to the monolith on :3000,
// logging in as the admin: ADMIN_EMAIL / ADMIN_PASSWORD, else the demo admin (--demo), else the
// password generated into the deployment's data directory (TWINSTACK_DATA, else ./data).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const HELP = `usage: chaos <action> [target] [args] [--url http://127.0.0.1:4000]

  kill <service>              SIGKILL every replica of a service            (micro)
  stop | start | restart <service>   graceful stop, start, rolling restart  (micro)
  latency <target> <ms> [jitter]     delay every call into target           (both)
  errors <target> <rate 0..1>        fail that share of calls with 503      (both)
  crash <module>              the next call into the module takes the whole process down,
                              as a segfault or out-of-memory would          (monolith; micro: that service)
  hang <target>               calls into target wait, unanswered, until healed
                              (heal lets them go on)                        (both)
  cpu <target> <ms>           each call into target first burns ms of CPU, blocking
                              its process's event loop, as a bad regex would (both)
  leak <target> <MiB/s>       target's process grows by that much retained memory per
                              second until healed or killed by --max-rss   (both)
  poison <target>             the next message target consumes throws on every
                              delivery, so it ends in dead letters          (both)
  partition <from> <to>       calls from one service/module to another fail (both)
  heal <target|all>           remove injected faults                        (both)
  status                      deployment, processes, breakers, queues and faults`

// ChaosCommand is one parsed command line
export interface ChaosCommand {
  action: string
  method: 'GET' | 'POST'
  path: string
  body?: Record<string, unknown>
  microOnly?: boolean
}

// parseChaos turns argv into the HTTP call it stands for, or throws a usage error
export function parseChaos(argv: string[]): ChaosCommand {
  const [action, target, a, b] = argv.filter((x) => !x.startsWith('--'))
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new Error(`${action} needs ${what}\n\n${HELP}`)
    return v
  }
  const number = (v: string | undefined, what: string, min: number, max: number) => {
    const n = Number(need(v, what))
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${what} must be ${min}..${max}`)
    return n
  }
  switch (action) {
    case 'kill':
    case 'stop':
    case 'start':
    case 'restart':
      return {
        action,
        method: 'POST',
        path: `/_/control/${action}/${encodeURIComponent(need(target, 'a service'))}`,
        microOnly: true,
      }
    case 'latency':
      return {
        action,
        method: 'POST',
        path: '/_/chaos/latency',
        body: {
          target: need(target, 'a target'),
          ms: number(a, 'ms', 0, 60_000),
          jitter: b === undefined ? 0 : number(b, 'jitter', 0, 60_000),
        },
      }
    case 'errors':
      return {
        action,
        method: 'POST',
        path: '/_/chaos/errors',
        body: { target: need(target, 'a target'), rate: number(a, 'rate', 0, 1) },
      }
    case 'crash':
      return {
        action,
        method: 'POST',
        path: '/_/chaos/crash',
        body: { target: need(target, 'a module') },
      }
    case 'hang':
    case 'poison':
      return {
        action,
        method: 'POST',
        path: `/_/chaos/${action}`,
        body: { target: need(target, 'a target') },
      }
    case 'cpu':
      return {
        action,
        method: 'POST',
        path: '/_/chaos/cpu',
        body: { target: need(target, 'a target'), ms: number(a, 'ms', 1, 10_000) },
      }
    case 'leak':
      return {
        action,
        method: 'POST',
        path: '/_/chaos/leak',
        body: { target: need(target, 'a target'), mibPerSec: number(a, 'MiB/s', 0.1, 1024) },
      }
    case 'partition':
      return {
        action,
        method: 'POST',
        path: '/_/chaos/partition',
        body: { from: need(target, 'from'), to: need(a, 'to') },
      }
    case 'heal':
      return { action, method: 'POST', path: '/_/chaos/heal', body: { target: target ?? 'all' } }
    case 'status':
      return { action, method: 'GET', path: '/_/status' }
    default:
      throw new Error(HELP)
  }
}

// findDeployment picks the URL to talk to: --url, TWINSTACK_URL, else whichever answers
export async function findDeployment(argv: string[], env = process.env): Promise<string> {
  const flag = argv.find((x) => x.startsWith('--url='))?.slice(6)
  if (flag ?? env.TWINSTACK_URL) return (flag ?? env.TWINSTACK_URL)!.replace(/\/$/, '')
  for (const url of ['http://127.0.0.1:4000', 'http://127.0.0.1:3000']) {
    try {
      const res = await fetch(`${url}/_/health`, { signal: AbortSignal.timeout(500) })
      if (res.ok) return url
    } catch {
      // not this one
    }
  }
  throw new Error(
    'no deployment answers on :4000 or :3000 (start one with npm run micro or npm run monolith)',
  )
}

// adminPasswords are the passwords to try for the admin, in order
export function adminPasswords(deployment: string, env = process.env): string[] {
  if (env.ADMIN_PASSWORD) return [env.ADMIN_PASSWORD]
  const dir =
    env.TWINSTACK_DATA ?? join(process.cwd(), 'data', deployment === 'micro' ? 'micro' : '')
  const file = join(dir, 'secrets.json')
  const generated = existsSync(file)
    ? [(JSON.parse(readFileSync(file, 'utf8')) as { adminPassword: string }).adminPassword]
    : []
  return ['admin-password', ...generated]
}

// runChaos executes a command line and prints what happened; returns the exit code
export async function runChaos(argv: string[], env = process.env): Promise<number> {
  try {
    if (argv.length === 0 || argv.includes('--help')) {
      console.log(HELP)
      return 0
    }
    const command = parseChaos(argv)
    const url = await findDeployment(argv, env)
    const health = (await (await fetch(`${url}/_/health`)).json()) as { deployment: string }
    if (command.microOnly && health.deployment !== 'micro') {
      throw new Error(
        `${command.action} needs the microservices deployment; the monolith is one process (try: crash <module>)`,
      )
    }
    let login: Response | undefined
    for (const password of adminPasswords(health.deployment, env)) {
      login = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: env.ADMIN_EMAIL ?? 'admin@twinstack.dev', password }),
      })
      if (login.ok) break
    }
    if (!login?.ok)
      throw new Error(`admin login failed (${login?.status}); set ADMIN_PASSWORD or TWINSTACK_DATA`)
    const { token } = (await login.json()) as { token: string }
    const started = performance.now()
    const res = await fetch(`${url}${command.path}`, {
      method: command.method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: command.body ? JSON.stringify(command.body) : undefined,
    })
    const text = await res.text()
    const ms = Math.round(performance.now() - started)
    if (!res.ok) throw new Error(`${res.status}: ${text}`)
    console.log(`${health.deployment} ${url}: ${command.action} done in ${ms} ms`)
    console.log(JSON.stringify(JSON.parse(text), null, 2))
    return 0
  } catch (error) {
    console.error((error as Error).message)
    return 1
  }
}

if (import.meta.main) process.exit(await runChaos(process.argv.slice(2)))
