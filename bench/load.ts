import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClosedJob, ClosedOutput, LoadOutput, PacedJob, PacedOutput } from './loadgen.ts'
import type { Tool } from './options.ts'
import {
  coresBetween,
  type MachineSample,
  machineBetween,
  processTree,
  roleOfPid,
  sampleMachine,
  sampleTrees,
  type TreeSample,
} from './procfs.ts'
import { parseWrk, wrkPath, wrkScript } from './wrk.ts'

const LOADGEN = join(import.meta.dir, 'loadgen.ts')

// Sampled is what the bench saw of the machine while a load ran
export interface Sampled {
  // CPU in cores (1 = one core busy for the whole run)
  generatorCores: number | null
  generatorThreads: number
  serverCores: number | null
  // the servers' summed RSS: at the end of the run and the highest seen during it
  serverRssBytes: number | null
  serverPeakRssBytes: number | null
  serverProcesses: number
  // the servers' CPU by process role (roleOf: a service's replicas summed), in cores
  serverCoresByRole?: Record<string, number>
  machineBusyCores: number | null
  othersCores: number | null
}

// LoadContext tells a load run which processes are the servers under test and which are the
// bench's own (everything else on the machine is someone else's)
export interface LoadContext {
  serverRoots: number[]
  ownRoots: () => number[]
  onMessage?: (msg: any) => void
}

// ProcessSampler measures server CPU and RSS and the machine's load over a window
class ProcessSampler {
  private tree0: TreeSample | null = null
  private machine0: MachineSample | null = null
  private peak = 0
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly ctx: LoadContext,
    private readonly extraOwn: () => number[],
  ) {}

  start(): void {
    this.tree0 = sampleTrees(this.ctx.serverRoots)
    this.machine0 = sampleMachine()
    this.peak = this.tree0.rssBytes
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, sampleTrees(this.ctx.serverRoots).rssBytes)
    }, 1000)
  }

  stop(): Omit<Sampled, 'generatorCores' | 'generatorThreads'> {
    if (this.timer) clearInterval(this.timer)
    if (!this.tree0 || !this.machine0) {
      return {
        serverCores: null,
        serverRssBytes: null,
        serverPeakRssBytes: null,
        serverProcesses: 0,
        machineBusyCores: null,
        othersCores: null,
      }
    }
    const tree1 = sampleTrees(this.ctx.serverRoots)
    const machine1 = sampleMachine()
    const own = new Set(
      [...this.ctx.ownRoots(), process.pid, ...this.extraOwn()].flatMap((p) => processTree(p)),
    )
    const load = machineBetween(this.machine0, machine1, own)
    return {
      serverCores: coresBetween(this.tree0, tree1),
      serverCoresByRole: coresByRole(this.tree0, tree1),
      serverRssBytes: tree1.rssBytes,
      serverPeakRssBytes: Math.max(this.peak, tree1.rssBytes),
      serverProcesses: tree1.pids.length,
      machineBusyCores: load.busyCores,
      othersCores: load.othersCores,
    }
  }
}

// coresByRole splits the CPU used between two samples by process role (see roleOf), counting
// only processes alive in both
export function coresByRole(
  a: TreeSample,
  b: TreeSample,
  role: (pid: number) => string | null = roleOfPid,
): Record<string, number> {
  const seconds = (b.at - a.at) / 1000
  const out: Record<string, number> = {}
  if (seconds <= 0) return out
  for (const [pid, s] of Object.entries(b.perPid)) {
    const before = a.perPid[Number(pid)]
    const name = before ? role(Number(pid)) : null
    if (!before || !name) continue
    out[name] = (out[name] ?? 0) + Math.max(0, s.cpuSeconds - before.cpuSeconds) / seconds
  }
  return out
}

// spawnLoadgen runs bench/loadgen.ts on a job in its own process, bounded in time
async function spawnLoadgen<O extends LoadOutput>(
  job: ClosedJob | PacedJob,
  limitMs: number,
  onMessage: (msg: any, pid: number) => void,
): Promise<O> {
  const dir = mkdtempSync(join(tmpdir(), 'twinstack-loadgen-'))
  try {
    const jobPath = join(dir, 'job.json')
    const outPath = join(dir, 'out.json')
    writeFileSync(jobPath, JSON.stringify(job))
    const proc = Bun.spawn([process.execPath, LOADGEN, jobPath, outPath], {
      stdout: 'ignore',
      stderr: 'pipe',
    })
    const timer = setTimeout(() => {
      if (proc.exitCode === null) process.kill(proc.pid, 'SIGKILL')
    }, limitMs)
    let other = ''
    const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let buffered = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      buffered += decoder.decode(value, { stream: true })
      let nl = buffered.indexOf('\n')
      while (nl >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        try {
          onMessage(JSON.parse(line), proc.pid)
        } catch {
          other += `${line}\n`
        }
        nl = buffered.indexOf('\n')
      }
    }
    await proc.exited
    clearTimeout(timer)
    if (proc.exitCode !== 0) {
      throw new Error(`load generator failed (${proc.signalCode ?? proc.exitCode}):\n${other}`)
    }
    return JSON.parse(readFileSync(outPath, 'utf8')) as O
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// ClosedRun is a closed-loop run's figures plus what the machine did meanwhile
export interface ClosedRun extends Sampled {
  tool: Tool
  output: ClosedOutput
}

// runClosed runs a closed-loop load with autocannon (in a child process) or wrk
export async function runClosed(job: ClosedJob, tool: Tool, ctx: LoadContext): Promise<ClosedRun> {
  if (tool === 'wrk') return runWrk(job, ctx)
  let generatorPid = 0
  const sampler = new ProcessSampler(ctx, () => (generatorPid ? [generatorPid] : []))
  let sampled: ReturnType<ProcessSampler['stop']> | null = null
  const limitMs = (job.durationS + job.warmupS) * 1000 + 30_000
  const output = await spawnLoadgen<ClosedOutput>(job, limitMs, (msg, pid) => {
    generatorPid = pid
    if (msg.type === 'start') sampler.start()
    if (msg.type === 'end') sampled = sampler.stop()
    ctx.onMessage?.(msg)
  })
  sampled ??= sampler.stop()
  return {
    tool: 'autocannon',
    output,
    generatorCores: output.generatorCores,
    generatorThreads: 1,
    ...sampled,
  }
}

async function runWrk(job: ClosedJob, ctx: LoadContext): Promise<ClosedRun> {
  const wrk = wrkPath()
  if (!wrk) throw new Error('--tool wrk: wrk is not installed (apt-get install wrk)')
  const dir = mkdtempSync(join(tmpdir(), 'twinstack-wrk-'))
  const script = join(dir, 'requests.lua')
  writeFileSync(script, wrkScript(job.requests))
  // one thread: it drives 100k req/s on loopback, and every other core is left to the servers
  const threads = 1
  const run = async (seconds: number, measured: boolean) => {
    const args = [
      wrk,
      `-t${threads}`,
      `-c${Math.max(threads, job.connections)}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      `--timeout`,
      `${job.timeoutS ?? 10}s`,
      '--latency',
      '-s',
      script,
      job.url,
    ]
    const proc = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe' })
    const sampler = new ProcessSampler(ctx, () => [proc.pid])
    const startedAt = Date.now()
    if (measured) {
      sampler.start()
      ctx.onMessage?.({ type: 'start', at: startedAt })
    }
    const timer = setTimeout(() => proc.kill('SIGKILL'), seconds * 1000 + 30_000)
    const [stdout, stderr] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ])
    // a script error makes wrk fall back to GET / silently: never measure that
    if (stderr.includes('.lua:')) throw new Error(`wrk script failed: ${stderr.slice(0, 1000)}`)
    await proc.exited
    clearTimeout(timer)
    const finishedAt = Date.now()
    const sampled = measured ? sampler.stop() : null
    const usage = proc.resourceUsage()
    const cpuSeconds = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : 0
    const generatorCores = cpuSeconds / Math.max(0.001, (finishedAt - startedAt) / 1000)
    return { stdout, startedAt, finishedAt, generatorCores, sampled }
  }
  try {
    if (job.warmupS > 0) await run(job.warmupS, false)
    const r = await run(job.durationS, true)
    ctx.onMessage?.({ type: 'end', at: r.finishedAt })
    const output = parseWrk(r.stdout, r)
    return {
      tool: 'wrk',
      output,
      generatorCores: r.generatorCores,
      generatorThreads: threads,
      ...r.sampled!,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// PacedRun is a paced run's records plus what the machine did meanwhile
export interface PacedRun extends Sampled {
  output: PacedOutput
}

// runPaced runs a fixed-rate mixed load in a child process; onStart gets the epoch ms of t=0 so
// the caller can inject faults on the same clock
export async function runPaced(
  job: PacedJob,
  ctx: LoadContext & { onStart?: (epochMs: number) => void },
): Promise<PacedRun> {
  let generatorPid = 0
  const sampler = new ProcessSampler(ctx, () => (generatorPid ? [generatorPid] : []))
  let sampled: ReturnType<ProcessSampler['stop']> | null = null
  const output = await spawnLoadgen<PacedOutput>(
    job,
    job.durationS * 1000 + job.timeoutMs + 30_000,
    (msg, pid) => {
      generatorPid = pid
      if (msg.type === 'start') {
        sampler.start()
        ctx.onStart?.(msg.at)
      }
      if (msg.type === 'end') sampled = sampler.stop()
      ctx.onMessage?.(msg)
    },
  )
  sampled ??= sampler.stop()
  return { output, generatorCores: output.generatorCores, generatorThreads: 1, ...sampled }
}
