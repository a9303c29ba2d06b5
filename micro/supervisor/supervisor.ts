import type { Subprocess } from 'bun'
import { watchRss } from '../../shared/platform/rss.ts'
import { allocatorEnv } from '../../shared/platform/runtime.ts'
import { prepareDatabase } from '../../shared/wiring/wire.ts'
import type { MicroConfig } from '../config.ts'
import { replicaSockets, replicaUrls, type ServiceSpec, serviceNamed } from '../topology.ts'

// Replica is one running (or not) copy of a service, as the supervisor tracks it
export interface Replica {
  service: string
  index: number
  url: string
  // its unix socket, when it listens on one (calls from the gateway go there)
  socket?: string
  pid: number | null
  state: 'starting' | 'up' | 'down' | 'stopped'
  restarts: number
  // false once someone stopped it on purpose: no restart then
  wanted: boolean
  proc: Subprocess | null
}

// SupervisorEvent is one thing that happened to a process, for logs and the dashboard feed
export interface SupervisorEvent {
  at: string
  kind: 'started' | 'exited' | 'restarting' | 'stopped' | 'killed' | 'healthy'
  service: string
  detail: string
}

// SupervisorOptions: how to spawn a replica, whether to restart crashed ones, where to log
export interface SupervisorOptions {
  command(service: string, replica: number): string[]
  restart: boolean
  env: Record<string, string>
  log?: (msg: string) => void
  // a child whose resident memory goes over this many MiB is SIGKILLed (as a container's
  // memory limit would), then restarted as after any crash; undefined: no limit
  maxRssMiB?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// Supervisor starts every service of the topology as a child process, restarts crashed ones
// with backoff, and stops them all (never leaving an orphan) when told to
export class Supervisor {
  readonly replicas: Replica[] = []
  readonly events: SupervisorEvent[] = []
  private stopping = false
  private stopWatch = () => {}
  private readonly listeners: ((e: SupervisorEvent) => void)[] = []

  constructor(
    private readonly config: MicroConfig,
    private readonly opts: SupervisorOptions,
  ) {
    for (const s of config.topology.services) {
      const sockets = replicaSockets(s, config.socketDir)
      replicaUrls(s, config.host).forEach((url, index) => {
        this.replicas.push({
          service: s.name,
          index,
          url,
          socket: sockets[index],
          pid: null,
          state: 'stopped',
          restarts: 0,
          wanted: true,
          proc: null,
        })
      })
    }
  }

  // onEvent subscribes to process events
  onEvent(listener: (e: SupervisorEvent) => void): void {
    this.listeners.push(listener)
  }

  private emit(kind: SupervisorEvent['kind'], r: Replica, detail = '', line?: string): void {
    const e = { at: new Date().toISOString(), kind, service: `${r.service}#${r.index}`, detail }
    this.events.push(e)
    if (this.events.length > 200) this.events.shift()
    this.opts.log?.(line ?? `${e.service} ${kind}${detail ? ` (${detail})` : ''}`)
    for (const l of this.listeners) l(e)
  }

  // watchMemory SIGKILLs any child over the memory limit (checked every 250 ms)
  private watchMemory(limit: number): void {
    this.stopWatch = watchRss(
      () => this.replicas.flatMap((r) => (r.proc ? [r.proc.pid] : [])),
      limit,
      (pid, rss) => {
        const r = this.replicas.find((x) => x.proc?.pid === pid)
        if (!r?.proc || r.proc.killed) return
        const detail = `rss ${Math.round(rss)} MiB over limit ${limit} MiB`
        this.emit('killed', r, detail, `${r.service}#${r.index} killed: ${detail}`)
        r.proc.kill('SIGKILL')
      },
    )
  }

  // prepare migrates and seeds every database file once, before any service starts, so
  // processes sharing a file never race on its schema
  async prepare(): Promise<void> {
    const files = new Set(
      this.config.topology.services.flatMap((s) => (s.database ? [s.database] : [])),
    )
    for (const file of files) {
      const database = await prepareDatabase(this.config.topology, this.config.dataDir, file)
      database.close()
    }
  }

  // start spawns every replica and waits until all answer /_/health
  async start(timeoutMs = 60_000): Promise<void> {
    await this.prepare()
    if (this.opts.maxRssMiB) this.watchMemory(this.opts.maxRssMiB)
    for (const r of this.replicas) this.spawn(r)
    await Promise.all(this.replicas.map((r) => this.waitHealthy(r, timeoutMs)))
  }

  private spawn(r: Replica): void {
    r.state = 'starting'
    r.wanted = true
    const proc = Bun.spawn(this.opts.command(r.service, r.index), {
      env: { ...process.env, ...allocatorEnv(), ...this.opts.env },
      stdout: 'inherit',
      stderr: 'inherit',
    })
    r.proc = proc
    r.pid = proc.pid
    this.emit('started', r, `pid ${proc.pid}`)
    void proc.exited.then(() => this.exited(r, proc))
  }

  private async exited(r: Replica, proc: Subprocess): Promise<void> {
    if (r.proc !== proc) return
    r.proc = null
    r.pid = null
    r.state = r.wanted ? 'down' : 'stopped'
    this.emit('exited', r, proc.signalCode ? `signal ${proc.signalCode}` : `code ${proc.exitCode}`)
    if (this.stopping || !r.wanted || !this.opts.restart) return
    // exponential backoff: 200 ms, 400 ms … up to 5 s between restarts of one replica
    const delay = Math.min(5000, 200 * 2 ** Math.min(r.restarts, 5))
    r.restarts++
    this.emit('restarting', r, `in ${delay} ms`)
    await sleep(delay)
    if (this.stopping || !r.wanted || r.proc) return
    this.spawn(r)
    await this.waitHealthy(r, 30_000).catch(() => {})
  }

  // waitHealthy polls a replica's /_/health until it answers
  async waitHealthy(r: Replica, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!r.proc) throw new Error(`${r.service}#${r.index} exited while starting`)
      try {
        const res = await fetch(`${r.url}/_/health`, { signal: AbortSignal.timeout(500) })
        if (res.ok) {
          r.state = 'up'
          this.emit('healthy', r, r.url)
          return
        }
      } catch {
        // not listening yet
      }
      await sleep(25)
    }
    throw new Error(`${r.service}#${r.index} not healthy after ${timeoutMs} ms`)
  }

  // replicasOf lists a service's replicas, throwing on an unknown name; a module's name stands
  // for the group hosting it (in the by-domain layout, `kill inventory` kills shop-reads)
  replicasOf(service: string): Replica[] {
    const t = this.config.topology
    const group = t.services.find((s) => s.name === service)
      ? service
      : (t.services.find((s) => s.modules.includes(service))?.name ?? serviceNamed(service, t).name)
    return this.replicas.filter((r) => r.service === group)
  }

  // kill sends SIGKILL to every replica of a service (the supervisor restarts them if allowed)
  kill(service: string): number[] {
    const pids: number[] = []
    for (const r of this.replicasOf(service)) {
      if (r.proc) {
        pids.push(r.proc.pid)
        this.emit('killed', r, `SIGKILL pid ${r.proc.pid}`)
        r.proc.kill('SIGKILL')
      }
    }
    return pids
  }

  // stop ends a service gracefully and keeps it down until started again
  async stop(service: string): Promise<void> {
    await Promise.all(this.replicasOf(service).map((r) => this.stopReplica(r)))
  }

  private async stopReplica(r: Replica): Promise<void> {
    r.wanted = false
    const proc = r.proc
    if (!proc) {
      r.state = 'stopped'
      return
    }
    proc.kill('SIGTERM')
    const ended = await Promise.race([proc.exited.then(() => true), sleep(5000).then(() => false)])
    if (!ended) proc.kill('SIGKILL')
    await proc.exited
    this.emit('stopped', r)
  }

  // startService starts the stopped replicas of a service and waits for them
  async startService(service: string): Promise<void> {
    const idle = this.replicasOf(service).filter((r) => !r.proc)
    for (const r of idle) this.spawn(r)
    await Promise.all(idle.map((r) => this.waitHealthy(r, 30_000)))
  }

  // restart replaces a service's replicas one at a time (a rolling restart: with two or more
  // replicas the service never stops answering)
  async restart(service: string): Promise<void> {
    for (const r of this.replicasOf(service)) {
      await this.stopReplica(r)
      this.spawn(r)
      await this.waitHealthy(r, 30_000)
    }
  }

  // stopAll forwards SIGTERM to every child and waits for them (SIGKILL after 5 s)
  async stopAll(): Promise<void> {
    this.stopping = true
    this.stopWatch()
    await Promise.all(this.replicas.map((r) => this.stopReplica(r)))
  }

  // services summarises the topology for the status table
  services(): (ServiceSpec & { replicaList: Replica[] })[] {
    return this.config.topology.services.map((s) => ({
      ...s,
      replicaList: this.replicas.filter((r) => r.service === s.name),
    }))
  }
}
