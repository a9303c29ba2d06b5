import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { shifted, withReplicas } from '../micro/config.ts'
import { replicaUrls, topology } from '../micro/topology.ts'
import { allocatorEnv } from '../shared/platform/runtime.ts'
import { alive, ephemeralLow, freeBlock } from '../shared/testing/process.ts'
import { processTree } from './procfs.ts'

const ROOT = join(import.meta.dir, '..')
const ENTRY = join(ROOT, 'twinstack.ts')
const BUN = process.execPath

// Running is one process tree the bench started (a deployment, a reference server), reachable
// at url, always stopped by its pids
export interface Running {
  label: string
  url: string
  proc: Subprocess
  // ms from spawn to healthy
  startMs: number
  output(): string
  stop(): Promise<void>
  kill(): Promise<void>
}

const running = new Set<Running>()

// ownRoots lists the root pids of every process tree the bench has running
export const ownRoots = () => [...running].map((r) => r.proc.pid)

// stopEverything stops every process tree the bench started (also on Ctrl-C)
export async function stopEverything(): Promise<void> {
  await Promise.all([...running].map((r) => r.stop()))
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

// spawnHealthy starts a command and waits until url/_/health (or `ready`) answers 200
export async function spawnHealthy(
  label: string,
  cmd: string[],
  opts: {
    env: Record<string, string>
    url: string
    waitMs?: number
    ready?: (url: string, output: string) => Promise<boolean>
  },
): Promise<Running> {
  let out = ''
  const t0 = performance.now()
  const proc = Bun.spawn(cmd, {
    cwd: ROOT,
    // the same allocator setting for every server measured, ours and the references alike
    env: { ...process.env, ...allocatorEnv(), ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    const reader = stream.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      out += decoder.decode(value)
      // keep the tail only: a long run must not grow without bound
      if (out.length > 200_000) out = out.slice(-100_000)
    }
  }
  void collect(proc.stdout as ReadableStream<Uint8Array>).catch(() => {})
  void collect(proc.stderr as ReadableStream<Uint8Array>).catch(() => {})
  let tree: number[] = [proc.pid]
  const r: Running = {
    label,
    url: opts.url,
    proc,
    startMs: 0,
    output: () => out,
    async stop() {
      // remember the whole tree first: children left behind are killed by pid afterwards
      if (alive(proc.pid)) tree = processTree(proc.pid)
      signal(proc.pid, 'SIGTERM')
      const done = await Promise.race([
        proc.exited.then(() => true),
        Bun.sleep(8000).then(() => false),
      ])
      if (!done) signal(proc.pid, 'SIGKILL')
      await proc.exited
      await Bun.sleep(50)
      for (const pid of tree) if (pid !== proc.pid && alive(pid)) signal(pid, 'SIGKILL')
      running.delete(r)
    },
    async kill() {
      if (alive(proc.pid)) tree = processTree(proc.pid)
      for (const pid of tree) signal(pid, 'SIGKILL')
      await proc.exited
      running.delete(r)
    },
  }
  running.add(r)
  const ready = opts.ready ?? (async (url) => (await fetch(`${url}/_/health`)).ok)
  const deadline = Date.now() + (opts.waitMs ?? 60_000)
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode) {
      running.delete(r)
      throw new Error(
        `${label} exited early (${proc.signalCode ?? proc.exitCode}):\n${out.slice(-3000)}`,
      )
    }
    try {
      if (await ready(opts.url, out)) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await r.kill()
      throw new Error(`${label} did not become healthy:\n${out.slice(-4000)}`)
    }
    await Bun.sleep(20)
  }
  r.startMs = performance.now() - t0
  return r
}

// freePortBlock finds a loopback port whose shifted micro topology (with room for replicas) is
// free, above the ports tests pick and below those of outgoing connections
export function freePortBlock(): number {
  return freeBlock(26_000, ephemeralLow() - 300, (base) => [
    base,
    ...withReplicas(
      shifted(topology, base),
      topology.services.map((s) => `${s.name}=3`).join(','),
    ).services.flatMap((s) => replicaUrls(s).map((u) => Number(u.split(':')[2]))),
  ])
}

// MonolithStart chooses how the monolith runs
export interface MonolithStart {
  dataDir: string
  port: number
  reset?: boolean
  // under the keeper (`twinstack.ts monolith`), which restarts it after a crash unless noRestart
  keeper?: boolean
  noRestart?: boolean
  // bind with SO_REUSEPORT so a second process can share the port (scaling, rolling restarts)
  reusePort?: boolean
  label?: string
  // flags for bun itself (the bench's --profile adds the CPU profiler)
  bunFlags?: string[]
  // memory limit the keeper enforces (--max-rss MiB): over it the process is killed
  maxRssMiB?: number
}

// startMonolith starts the monolith and waits until it is healthy
export function startMonolith(o: MonolithStart): Promise<Running> {
  mkdirSync(o.dataDir, { recursive: true })
  // demo logins (the bench logs in as demo users), /_/status without a token, no rate limit
  const args = [
    '--demo',
    '--open-ops',
    ...(o.reset ? ['--reset'] : []),
    ...(o.noRestart ? ['--no-restart'] : []),
    ...(o.maxRssMiB ? ['--max-rss', String(o.maxRssMiB)] : []),
  ]
  const cmd = o.keeper
    ? [BUN, ENTRY, 'monolith', ...args]
    : [BUN, ...(o.bunFlags ?? []), join(ROOT, 'monolith', 'main.ts'), ...args]
  const url = `http://127.0.0.1:${o.port}`
  return spawnHealthy(o.label ?? 'monolith', cmd, {
    env: {
      TWINSTACK_DATA: o.dataDir,
      PORT: String(o.port),
      HOST: '127.0.0.1',
      TWINSTACK_RATE_LIMIT: '0',
      ...(o.reusePort ? { TWINSTACK_REUSE_PORT: '1' } : {}),
    },
    url,
    // with reusePort a sibling on the same port may answer the health check: this process is
    // up once it says it listens
    ...(o.reusePort
      ? { ready: async (_u: string, out: string) => out.includes('listening on') }
      : {}),
  })
}

// MicroStart chooses how the microservices run
export interface MicroStart {
  dataDir: string
  base: number
  reset?: boolean
  noRestart?: boolean
  // replica counts, e.g. "storefront=1"
  replicas?: string
  label?: string
  // more environment for the supervisor and its services
  env?: Record<string, string>
  // memory limit per service the supervisor enforces (--max-rss MiB)
  maxRssMiB?: number
}

// allHealthy asks the gateway whether every replica of the topology is healthy
export async function allHealthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/_/status`, { signal: AbortSignal.timeout(2000) })
  if (!res.ok) return false
  const s = (await res.json()) as { services: { healthy: boolean }[] }
  return s.services.length > 1 && s.services.every((x) => x.healthy)
}

// startMicro starts supervisor, services and gateway and waits until every replica is healthy;
// if it gives up at once (a port of its block taken meanwhile), it tries another block
export async function startMicro(o: MicroStart): Promise<Running> {
  mkdirSync(o.dataDir, { recursive: true })
  const args = [
    '--quiet',
    '--demo',
    '--open-ops',
    ...(o.reset ? ['--reset'] : []),
    ...(o.noRestart ? ['--no-restart'] : []),
    ...(o.maxRssMiB ? ['--max-rss', String(o.maxRssMiB)] : []),
  ]
  for (let attempt = 0; ; attempt++) {
    const base = attempt === 0 ? o.base : freePortBlock()
    const url = `http://127.0.0.1:${base}`
    try {
      return await spawnHealthy(o.label ?? 'micro', [BUN, ENTRY, 'micro', ...args], {
        env: {
          TWINSTACK_DATA: o.dataDir,
          TWINSTACK_PORT_BASE: String(base),
          TWINSTACK_RATE_LIMIT: '0',
          HOST: '127.0.0.1',
          ...(o.replicas ? { TWINSTACK_REPLICAS: o.replicas } : {}),
          ...o.env,
        },
        url,
        waitMs: 90_000,
        ready: async (u) => (await fetch(`${u}/_/health`)).ok && (await allHealthy(u)),
      })
    } catch (error) {
      const early = (error as Error).message.includes('exited early')
      if (!early || attempt >= 2) throw error
    }
  }
}

// startTarget starts one of bench/targets/*.ts on a free port
export function startTarget(
  name: string,
  port: number,
  env: Record<string, string> = {},
  args: string[] = [],
) {
  const url = `http://127.0.0.1:${port}`
  return spawnHealthy(name, [BUN, join(import.meta.dir, 'targets', `${name}.ts`), ...args], {
    env: { PORT: String(port), ...env },
    url,
    // healthy once this process says it listens there: a health answer alone could come from
    // another server that took the port first (every target prints its URL once bound)
    ready: async (u, out) => out.includes(`listening on ${u}`) && (await fetch(`${u}/_/health`)).ok,
  })
}

// dataDirFor is a fresh data directory for one deployment of one scenario
export const dataDirFor = (root: string, name: string) => {
  const dir = join(root, `${name}-${Math.random().toString(36).slice(2, 8)}`)
  mkdirSync(dir, { recursive: true })
  return dir
}
