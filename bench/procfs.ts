import { readdirSync, readFileSync } from 'node:fs'

// Linux reports CPU time in clock ticks of 1/100 s and memory in 4 KiB pages on this platform
const TICKS_PER_SECOND = 100
const PAGE_BYTES = 4096

// ProcSample is what /proc says of one process at one moment
export interface ProcSample {
  pid: number
  ppid: number
  // user + system CPU time, in seconds
  cpuSeconds: number
  rssBytes: number
}

// parseStat reads pid, ppid and CPU seconds from the text of /proc/<pid>/stat (the command
// name sits in parentheses and may itself hold spaces or parentheses)
export function parseStat(text: string): Omit<ProcSample, 'rssBytes'> | null {
  const close = text.lastIndexOf(')')
  if (close < 0) return null
  const pid = Number(text.slice(0, text.indexOf(' ')))
  // fields after the name, starting at field 3 (state)
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ')
  const ppid = Number(rest[1])
  const utime = Number(rest[11])
  const stime = Number(rest[12])
  if (!Number.isFinite(pid) || !Number.isFinite(utime)) return null
  return { pid, ppid, cpuSeconds: (utime + stime) / TICKS_PER_SECOND }
}

// sampleProcess reads one process's CPU and RSS, or null when it is gone
export function sampleProcess(pid: number): ProcSample | null {
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    if (!stat) return null
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')
    return { ...stat, rssBytes: Number(statm[1]) * PAGE_BYTES }
  } catch {
    return null
  }
}

// roleOf names what a process of ours is, from its command line: a service by its name (its
// replicas share it), the micro supervisor as the gateway (it hosts it), the monolith, a bare
// split's part by its --role (bench/targets/bare-split.ts), else the script or program
export function roleOf(argv: readonly string[]): string {
  const role = argv.find((a) => a.startsWith('--role='))
  if (role) return role.slice('--role='.length)
  const at = argv.findIndex((a) => a.endsWith('twinstack.ts') || a.endsWith('/twinstack'))
  if (at >= 0) {
    const [command, name] = argv.slice(at + 1)
    if (command === 'service' && name) return name
    if (command === 'micro') return 'gateway'
    if (command?.startsWith('monolith')) return 'monolith'
    return command ?? 'twinstack'
  }
  const script = argv.find((a) => /\.(ts|js|mjs)$/.test(a)) ?? argv[0] ?? '?'
  return script.slice(script.lastIndexOf('/') + 1).replace(/\.(ts|js|mjs)$/, '')
}

// roleOfPid reads roleOf from /proc, or null when the process is gone
export function roleOfPid(pid: number): string | null {
  try {
    return roleOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean))
  } catch {
    return null
  }
}

// processTree lists a process and every process below it (children, grandchildren…)
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'))
      if (!stat) continue
      const list = children.get(stat.ppid) ?? []
      list.push(stat.pid)
      children.set(stat.ppid, list)
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = []
  const queue = [root]
  while (queue.length) {
    const pid = queue.shift()!
    out.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return out
}

// TreeSample sums CPU seconds and RSS over a set of processes at one moment
export interface TreeSample {
  at: number
  pids: number[]
  cpuSeconds: number
  rssBytes: number
  perPid: Record<number, { cpuSeconds: number; rssBytes: number }>
}

// sampleTrees samples every process under the given roots
export function sampleTrees(roots: number[]): TreeSample {
  const pids = [...new Set(roots.flatMap((r) => processTree(r)))]
  const perPid: TreeSample['perPid'] = {}
  let cpuSeconds = 0
  let rssBytes = 0
  for (const pid of pids) {
    const s = sampleProcess(pid)
    if (!s) continue
    perPid[pid] = { cpuSeconds: s.cpuSeconds, rssBytes: s.rssBytes }
    cpuSeconds += s.cpuSeconds
    rssBytes += s.rssBytes
  }
  return { at: Date.now(), pids: Object.keys(perPid).map(Number), cpuSeconds, rssBytes, perPid }
}

// coresBetween is the CPU used between two samples in cores (1 = one core busy all along),
// counting only processes alive in both so a restarted process does not count negative
export function coresBetween(a: TreeSample, b: TreeSample): number {
  const seconds = (b.at - a.at) / 1000
  if (seconds <= 0) return 0
  let cpu = 0
  for (const [pid, end] of Object.entries(b.perPid)) {
    const start = a.perPid[Number(pid)]
    cpu += end.cpuSeconds - (start?.cpuSeconds ?? end.cpuSeconds)
  }
  return Math.max(0, cpu / seconds)
}

// MachineSample is the whole machine's CPU counters and every process's CPU at one moment
export interface MachineSample {
  at: number
  // busy and total clock ticks summed over all cores, from /proc/stat
  busyTicks: number
  totalTicks: number
  cpuByPid: Map<number, number>
}

// parseCpuLine reads busy and total ticks from the first line of /proc/stat
export function parseCpuLine(line: string): { busy: number; total: number } {
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = v.reduce((a, b) => a + b, 0)
  // idle and iowait are the not-busy columns
  return { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total }
}

// sampleMachine reads /proc/stat and every process's CPU seconds
export function sampleMachine(): MachineSample {
  const cpuByPid = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'))
      if (stat) cpuByPid.set(stat.pid, stat.cpuSeconds)
    } catch {
      // gone
    }
  }
  const { busy, total } = parseCpuLine(readFileSync('/proc/stat', 'utf8').split('\n')[0]!)
  return { at: Date.now(), busyTicks: busy, totalTicks: total, cpuByPid }
}

// MachineLoad is how busy the machine was between two samples, in cores
export interface MachineLoad {
  busyCores: number
  // CPU of processes that are not ours (other users of the machine competing with the bench)
  othersCores: number
}

// machineBetween measures the machine between two samples; `ours` are the pids of the bench,
// its generator and the servers under test
export function machineBetween(
  a: MachineSample,
  b: MachineSample,
  ours: ReadonlySet<number>,
): MachineLoad {
  const seconds = (b.at - a.at) / 1000
  if (seconds <= 0) return { busyCores: 0, othersCores: 0 }
  let others = 0
  for (const [pid, cpu] of b.cpuByPid) {
    if (ours.has(pid)) continue
    const before = a.cpuByPid.get(pid)
    // a process born in between counts from zero
    others += cpu - (before ?? 0)
  }
  const busySeconds = (b.busyTicks - a.busyTicks) / TICKS_PER_SECOND
  return {
    busyCores: Math.max(0, busySeconds / seconds),
    othersCores: Math.max(0, others / seconds),
  }
}
