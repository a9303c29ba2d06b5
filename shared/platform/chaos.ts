import type { MiddlewareHandler } from 'hono'
import { unavailable } from '../domain/errors.ts'
import { sleep } from './runtime.ts'

// Fault is what chaos injected into one target (a service, or a module of the monolith)
export interface Fault {
  latencyMs: number
  jitterMs: number
  errorRate: number
  // a crash-class fault: the next call into the target ends the whole process at once
  crash: boolean
}

// ChaosEvent is one change of the injected faults, for logs and the dashboard feed
export interface ChaosEvent {
  at: string
  kind: 'latency' | 'errors' | 'heal' | 'partition' | 'crash'
  target: string
  detail: string
}

const none = (): Fault => ({ latencyMs: 0, jitterMs: 0, errorRate: 0, crash: false })

// FaultBoard holds the faults injected into this process: per target, and partitioned links
export class FaultBoard {
  private readonly faults = new Map<string, Fault>()
  private readonly partitions = new Set<string>()
  readonly events: ChaosEvent[] = []
  private readonly listeners: ((e: ChaosEvent) => void)[] = []

  // crashProcess is what a crash-class fault does: SIGKILL ourselves, no cleanup, no drain
  constructor(private readonly crashProcess = () => process.kill(process.pid, 'SIGKILL')) {}

  onEvent(listener: (e: ChaosEvent) => void): void {
    this.listeners.push(listener)
  }

  private record(kind: ChaosEvent['kind'], target: string, detail: string): void {
    const e = { at: new Date().toISOString(), kind, target, detail }
    this.events.push(e)
    if (this.events.length > 100) this.events.shift()
    for (const l of this.listeners) l(e)
  }

  private fault(target: string): Fault {
    let f = this.faults.get(target)
    if (!f) {
      f = none()
      this.faults.set(target, f)
    }
    return f
  }

  // latency delays every call into target by ms (± jitter)
  latency(target: string, ms: number, jitterMs = 0): void {
    Object.assign(this.fault(target), { latencyMs: ms, jitterMs })
    this.record('latency', target, `${ms} ms ± ${jitterMs}`)
  }

  // errors makes a share (0..1) of calls into target fail with 503
  errors(target: string, rate: number): void {
    this.fault(target).errorRate = rate
    this.record('errors', target, `${Math.round(rate * 100)} %`)
  }

  // crash arms a crash-class fault: the next call into target takes the process down
  crash(target: string): void {
    this.fault(target).crash = true
    this.record('crash', target, 'armed: the next call ends the process')
  }

  // partition makes calls from one service (or module) to another fail
  partition(from: string, to: string): void {
    this.partitions.add(`${from}->${to}`)
    this.record('partition', `${from}->${to}`, 'calls fail')
  }

  // heal removes the faults of one target (and its partitions), or of every target with 'all'
  heal(target: string): void {
    if (target === 'all') {
      this.faults.clear()
      this.partitions.clear()
    } else {
      this.faults.delete(target)
      for (const p of [...this.partitions]) {
        if (p === target || p.startsWith(`${target}->`) || p.endsWith(`->${target}`)) {
          this.partitions.delete(p)
        }
      }
    }
    this.record('heal', target, 'faults removed')
  }

  // armed says whether any fault or partition is set: when not, calls skip every check
  get armed(): boolean {
    return this.faults.size > 0 || this.partitions.size > 0
  }

  isPartitioned(from: string, to: string): boolean {
    return this.partitions.size > 0 && this.partitions.has(`${from}->${to}`)
  }

  // snapshot lists the active faults and partitions
  snapshot(): { faults: Record<string, Fault>; partitions: string[] } {
    return { faults: Object.fromEntries(this.faults), partitions: [...this.partitions] }
  }

  // before is what happens at the start of a call into target: crash, delay or fail
  async before(target: string): Promise<void> {
    const f = this.faults.get(target)
    if (!f) return
    if (f.crash) this.crashProcess()
    if (f.latencyMs > 0 || f.jitterMs > 0) {
      const jitter = f.jitterMs ? (Math.random() * 2 - 1) * f.jitterMs : 0
      await sleep(Math.max(0, f.latencyMs + jitter))
    }
    if (f.errorRate > 0 && Math.random() < f.errorRate) {
      throw unavailable(`${target}: injected fault`)
    }
  }
}

// injectFaults applies a target's faults to every request its HTTP layer serves
export function injectFaults(board: FaultBoard, target: string): MiddlewareHandler {
  return async function faultInjection(c, next) {
    if (board.armed && !c.req.path.startsWith('/_/')) await board.before(target)
    await next()
  }
}

// withFaults wraps an in-process neighbour so calls into it meet its target's faults, and calls
// from caller to it fail while the link is partitioned (the monolith's version of a network).
// The wrapper is built once: each method checks one flag, and while nothing is armed it calls
// straight through (no proxy, no extra promise per call)
export function withFaults<T extends object>(
  board: FaultBoard,
  caller: string,
  target: string,
  service: T,
): T {
  // other properties read through to the service itself
  const wrapped = Object.create(service) as Record<PropertyKey, unknown>
  for (const name of methodNames(service)) {
    const method = (service as Record<PropertyKey, unknown>)[name] as (...a: unknown[]) => unknown
    const faulty = async (args: unknown[]) => {
      if (board.isPartitioned(caller, target)) {
        throw unavailable(`${target} unreachable from ${caller} (partitioned)`)
      }
      await board.before(target)
      return method.apply(service, args)
    }
    wrapped[name] = (...args: unknown[]) =>
      board.armed ? faulty(args) : method.apply(service, args)
  }
  return wrapped as T
}

// methodNames lists the methods of an object and of its classes, Object's own left out
function methodNames(obj: object): Set<PropertyKey> {
  const names = new Set<PropertyKey>()
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Reflect.ownKeys(o)) {
      if (name === 'constructor') continue
      const d = Object.getOwnPropertyDescriptor(o, name)
      if (d && typeof d.value === 'function') names.add(name)
    }
  }
  return names
}
