import { unavailable } from '../domain/errors.ts'
import { sleep } from './runtime.ts'

// Fault is what chaos injected into one target (a service, or a module of the monolith)
export interface Fault {
  latencyMs: number
  jitterMs: number
  errorRate: number
  // a crash-class fault: the next call into the target ends the whole process at once
  crash: boolean
  // calls into the target wait, unanswered, until the target is healed (then they proceed)
  hang: boolean
  // each call into the target first burns this much CPU synchronously (the event loop stalls)
  cpuMs: number
  // the process grows by this many MiB of retained, touched memory per second
  leakMiBPerSec: number
  // the next message the target consumes throws on every delivery (until dead-lettered)
  poison: boolean
  // the id of the message poison picked, once one arrived
  poisonedEvent: string | null
}

// ChaosEvent is one change of the injected faults, for logs and the dashboard feed
export interface ChaosEvent {
  at: string
  kind:
    | 'latency'
    | 'errors'
    | 'heal'
    | 'partition'
    | 'crash'
    | 'hang'
    | 'cpu'
    | 'leak'
    | 'poison'
    | 'poisoned'
  target: string
  detail: string
}

const none = (): Fault => ({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  crash: false,
  hang: false,
  cpuMs: 0,
  leakMiBPerSec: 0,
  poison: false,
  poisonedEvent: null,
})

const MiB = 1024 * 1024
// a leak grows in steps this often: small enough that a memory watcher sees it climb
const leakStepMs = 100

// Gate holds calls into a hung target until heal opens it
interface Gate {
  opened: Promise<void>
  open(): void
}

function gate(): Gate {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

// burn keeps the CPU busy for ms without yielding, as a catastrophic regex would
export function burn(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // spin: nothing else in this process runs meanwhile
  }
}

// FaultBoard holds the faults injected into this process: per target, and partitioned links
export class FaultBoard {
  private readonly faults = new Map<string, Fault>()
  private readonly partitions = new Set<string>()
  // hung targets' gates, and the timers and memory of leaking targets (kept off Fault, which
  // is what the snapshot shows)
  private readonly gates = new Map<string, Gate>()
  private readonly leaks = new Map<string, { timer: Timer; kept: Buffer[] }>()
  readonly events: ChaosEvent[] = []
  private readonly listeners: ((e: ChaosEvent) => void)[] = []

  // crashProcess is what a crash-class fault does: SIGKILL ourselves, no cleanup, no drain
  constructor(
    private readonly crashProcess: () => void = () => process.kill(process.pid, 'SIGKILL'),
  ) {}

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

  // hang makes calls into target wait without an answer until heal releases them
  hang(target: string): void {
    this.fault(target).hang = true
    if (!this.gates.has(target)) this.gates.set(target, gate())
    this.record('hang', target, 'calls wait until healed')
  }

  // cpu makes every call into target burn ms of CPU synchronously first
  cpu(target: string, ms: number): void {
    this.fault(target).cpuMs = ms
    this.record('cpu', target, `${ms} ms of CPU per call`)
  }

  // leak grows this process by mibPerSec of retained memory (filled, so resident) until healed
  // or until whatever watches the process's memory kills it
  leak(target: string, mibPerSec: number): void {
    this.stopLeak(target)
    this.fault(target).leakMiBPerSec = mibPerSec
    if (mibPerSec > 0) {
      const kept: Buffer[] = []
      const step = Math.max(1, Math.round((mibPerSec * MiB * leakStepMs) / 1000))
      const timer = setInterval(() => kept.push(Buffer.allocUnsafe(step).fill(0x5a)), leakStepMs)
      // a leak never keeps a process alive that would otherwise end
      timer.unref()
      this.leaks.set(target, { timer, kept })
    }
    this.record('leak', target, `${mibPerSec} MiB/s retained`)
  }

  // poison arms a poison message: the next message target consumes fails on every delivery
  poison(target: string): void {
    Object.assign(this.fault(target), { poison: true, poisonedEvent: null })
    this.record('poison', target, 'armed: the next message it consumes always throws')
  }

  // partition makes calls from one service (or module) to another fail
  partition(from: string, to: string): void {
    this.partitions.add(`${from}->${to}`)
    this.record('partition', `${from}->${to}`, 'calls fail')
  }

  private stopLeak(target: string): void {
    const leak = this.leaks.get(target)
    if (!leak) return
    clearInterval(leak.timer)
    leak.kept.length = 0
    this.leaks.delete(target)
  }

  private release(target: string): void {
    this.gates.get(target)?.open()
    this.gates.delete(target)
    this.stopLeak(target)
  }

  // heal removes the faults of one target (and its partitions), or of every target with 'all';
  // hung calls are released and go on as if nothing happened, a leak's memory is let go
  heal(target: string): void {
    if (target === 'all') {
      for (const t of new Set([...this.gates.keys(), ...this.leaks.keys()])) this.release(t)
      this.faults.clear()
      this.partitions.clear()
    } else {
      this.release(target)
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

  // before is what happens at the start of a call into target: crash, hang, burn, delay or fail
  async before(target: string): Promise<void> {
    const f = this.faults.get(target)
    if (!f) return
    if (f.crash) this.crashProcess()
    if (f.hang) {
      const g = this.gates.get(target)
      // healed while waiting: the call goes on, and the target has no faults left
      if (g) return g.opened
    }
    if (f.cpuMs > 0) burn(f.cpuMs)
    if (f.latencyMs > 0 || f.jitterMs > 0) {
      const jitter = f.jitterMs ? (Math.random() * 2 - 1) * f.jitterMs : 0
      await sleep(Math.max(0, f.latencyMs + jitter))
    }
    if (f.errorRate > 0 && Math.random() < f.errorRate) {
      throw unavailable(`${target}: injected fault`)
    }
  }

  // consumer wraps a message handler of target: while poison is armed, the first message it
  // meets becomes the poisoned one and throws on every delivery (the transport's retry budget
  // then dead-letters it); every other message goes through
  consumer<E extends { id: string }>(
    target: string,
    handle: (event: E) => void | Promise<void>,
  ): (event: E) => void | Promise<void> {
    return (event) => {
      const f = this.faults.size > 0 ? this.faults.get(target) : undefined
      if (f?.poison) {
        if (f.poisonedEvent === null) {
          f.poisonedEvent = event.id
          this.record('poisoned', target, `message ${event.id} throws on every delivery`)
        }
        if (f.poisonedEvent === event.id) {
          throw new Error(`${target}: poisoned message ${event.id} (injected fault)`)
        }
      }
      return handle(event)
    }
  }
}

// withFaults wraps an in-process neighbour so calls into it meet its target's faults, and calls
// from caller to it fail while the link is partitioned (the monolith's version of a network).
// The wrapper is built once, and its methods are swapped whenever the board changes (every
// change records an event): while nothing is armed each is the service's own method bound to
// it, so a call checks nothing and allocates nothing; while something is armed, each call
// goes through the checks
export function withFaults<T extends object>(
  board: FaultBoard,
  caller: string,
  target: string,
  service: T,
): T {
  // other properties read through to the service itself
  const wrapped = Object.create(service) as Record<PropertyKey, unknown>
  const direct = new Map<PropertyKey, unknown>()
  const checked = new Map<PropertyKey, unknown>()
  for (const name of methodNames(service)) {
    const method = (service as Record<PropertyKey, unknown>)[name] as (...a: unknown[]) => unknown
    direct.set(name, method.bind(service))
    checked.set(name, async (...args: unknown[]) => {
      if (board.isPartitioned(caller, target)) {
        throw unavailable(`${target} unreachable from ${caller} (partitioned)`)
      }
      await board.before(target)
      return method.apply(service, args)
    })
  }
  let armed: boolean | null = null
  const swap = () => {
    if (board.armed === armed) return
    armed = board.armed
    for (const [name, f] of armed ? checked : direct) wrapped[name] = f
  }
  swap()
  board.onEvent(swap)
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
