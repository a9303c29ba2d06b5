import { availableParallelism } from 'node:os'
import { ownRoots, type Running } from '../deploy.ts'
import { type FlagCode, flagRun } from '../flags.ts'
import { type PacedRun, runClosed } from '../load.ts'
import type { RequestTemplate } from '../loadgen.ts'
import type { BenchOptions, ScenarioName } from '../options.ts'
import type { Settings } from '../plan.ts'
import type { Progress } from '../progress.ts'
import { type RunRecord, toRecord } from '../results.ts'
import { median, quantile } from '../stats.ts'

// BenchContext is what every scenario gets: options, settings, progress and a scratch directory
export interface BenchContext {
  options: BenchOptions
  settings: Settings
  progress: Progress
  workDir: string
  machineCores: number
}

// machineCores is how many cores the bench may count on
export const machineCores = () => availableParallelism()

// fmt helpers for progress lines
export const fmtRps = (n: number | null | undefined) =>
  n === null || n === undefined ? 'n/a' : `${Math.round(n).toLocaleString('en-US')} req/s`
export const fmtMs = (n: number | null | undefined) =>
  n === null || n === undefined ? 'n/a' : n < 10 ? `${n.toFixed(2)} ms` : `${Math.round(n)} ms`

// measureClosed runs one closed-loop measurement and keeps it as a record
export async function measureClosed(
  ctx: BenchContext,
  at: { scenario: ScenarioName; cell: string; deployment: string; repeat: number },
  target: { url: string; servers: Running[] },
  requests: RequestTemplate[],
  opts: { durationS: number; warmupS: number; connections: number },
): Promise<RunRecord> {
  const p = ctx.progress
  p.begin(`${at.cell} · ${at.deployment} #${at.repeat + 1}`)
  const run = await runClosed(
    { engine: 'closed', url: target.url, requests, ...opts },
    ctx.options.tool,
    {
      serverRoots: target.servers.map((s) => s.proc.pid),
      ownRoots,
      onMessage: (m) => {
        if (m.type === 'warmup') p.tick('warming up')
        // autocannon's last tick covers a fraction of a second: skip its zero
        if (m.type === 'tick' && typeof m.requests === 'number' && m.requests > 0) {
          p.tick(fmtRps(m.requests))
        }
      },
    },
  )
  const rec = toRecord(run, at, opts, ctx.machineCores)
  p.end(
    `${fmtRps(rec.rps).padStart(13)}  p50 ${fmtMs(rec.latency.p50)}  p99 ${fmtMs(rec.latency.p99)}` +
      `  gen ${rec.generatorCores?.toFixed(2) ?? 'n/a'} cores` +
      (rec.failures ? `  ${rec.failures} failed` : '') +
      (rec.flags.length ? `  [${rec.flags.join(', ')}]` : ''),
  )
  return rec
}

// probe sends requests one at a time and reads latency and the X-Hops / X-Internal-Bytes
// headers: the cost of an endpoint with nothing else in flight
export async function probe(base: string, requests: RequestTemplate[], samples: number) {
  const latencies: number[] = []
  const hops: number[] = []
  const bytes: number[] = []
  const statuses: Record<string, number> = {}
  for (let i = 0; i < samples; i++) {
    const t = requests[i % requests.length]!
    const t0 = performance.now()
    try {
      const res = await fetch(`${base}${t.path}`, {
        method: t.method,
        headers: t.headers,
        body: t.body,
        signal: AbortSignal.timeout(10_000),
      })
      await res.arrayBuffer()
      const ms = performance.now() - t0
      statuses[res.status] = (statuses[res.status] ?? 0) + 1
      if (res.ok) latencies.push(ms)
      const h = res.headers.get('X-Hops')
      const b = res.headers.get('X-Internal-Bytes')
      if (h !== null) hops.push(Number(h))
      if (b !== null) bytes.push(Number(b))
    } catch {
      statuses['0'] = (statuses['0'] ?? 0) + 1
    }
  }
  return {
    samples,
    p50Ms: median(latencies),
    p99Ms: quantile(latencies, 0.99),
    hops: median(hops),
    internalBytes: median(bytes),
    statuses,
  }
}

// pacedFlags are the flags a paced run earns (generator, machine and servers busy, records
// scarce), never 'errors': failed requests are what the paced scenarios measure. serverCores is
// null where the servers changed during the run (a redeploy)
export function pacedFlags(
  ctx: BenchContext,
  run: PacedRun,
  serverCores: number | null = run.serverCores,
): FlagCode[] {
  return flagRun({
    requests: run.output.streams.reduce((n, s) => n + s.records.length, 0),
    failures: 0,
    generatorCores: run.generatorCores,
    serverCores,
    generatorThreads: 1,
    machineCores: ctx.machineCores,
    machineBusyCores: run.machineBusyCores,
    othersCores: run.othersCores,
  }).filter((f) => f !== 'errors')
}
