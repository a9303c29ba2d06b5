import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../shared/testing/process.ts'
import { dataDirFor, freePortBlock, ownRoots, startMicro, startMonolith } from './deploy.ts'
import { runClosed } from './load.ts'
import type { RequestTemplate } from './loadgen.ts'
import type { BenchContext } from './scenarios/common.ts'

// ProfileTarget is what --profile names: the monolith, or one service of the microservices
export type ProfileTarget = { kind: 'monolith' } | { kind: 'micro'; service: string }

// parseProfileTarget reads `monolith` or `micro:<service>`
export function parseProfileTarget(spec: string): ProfileTarget {
  if (spec === 'monolith') return { kind: 'monolith' }
  const m = /^micro:([a-z-]+)$/.exec(spec)
  if (m) return { kind: 'micro', service: m[1]! }
  throw new Error(`--profile takes monolith or micro:<service>, got ${spec}`)
}

// HotFunction is one row of a profile's self-time table
export interface HotFunction {
  selfPct: number
  totalPct: number
  fn: string
  location: string
}

// ProfileResult is a CPU profile of one process under the product-page load
export interface ProfileResult {
  target: string
  file: string | null
  durationS: number
  rps: number | null
  top: HotFunction[]
  error?: string
}

// hotFunctions reads the top rows of the self-time table of Bun's markdown CPU profile
export function hotFunctions(markdown: string, n = 15): HotFunction[] {
  const start = markdown.indexOf('## Hot Functions')
  if (start < 0) return []
  const rows: HotFunction[] = []
  for (const line of markdown.slice(start).split('\n').slice(1)) {
    if (line.startsWith('## ')) break
    const m = /^\| ([\d.]+)% \|[^|]+\| ([\d.]+)% \|[^|]+\| `([^`]*)` \| `([^`]*)` \|/.exec(line)
    if (!m) continue
    rows.push({
      selfPct: Number(m[1]),
      totalPct: Number(m[2]),
      fn: m[3]!,
      location: m[4]!.replace(`${join(import.meta.dir, '..')}/`, ''),
    })
    if (rows.length >= n) break
  }
  return rows
}

const productPaths: RequestTemplate[] = Array.from({ length: 200 }, (_, i) => ({
  method: 'GET' as const,
  path: `/api/products/p-${String(1 + ((i * 97) % 1000)).padStart(4, '0')}`,
}))

// profileUnderLoad runs the product-page load (closed loop) against a deployment whose named
// process runs under Bun's CPU profiler, stops it (the profile is written at exit) and reads
// the profile's hot functions; the profile itself stays in the results folder
export async function profileUnderLoad(
  ctx: BenchContext,
  spec: string,
  outDir: string,
): Promise<ProfileResult> {
  const target = parseProfileTarget(spec)
  const p = ctx.progress
  p.begin(`profiling ${spec} under the product-page load`)
  const server =
    target.kind === 'monolith'
      ? await startMonolith({
          dataDir: dataDirFor(ctx.workDir, 'profile-mono'),
          port: freePort(),
          reset: true,
          bunFlags: ['--cpu-prof-md', `--cpu-prof-dir=${outDir}`],
        })
      : await startMicro({
          dataDir: dataDirFor(ctx.workDir, 'profile-micro'),
          base: freePortBlock(),
          reset: true,
          env: { TWINSTACK_CPU_PROFILE: target.service, TWINSTACK_CPU_PROFILE_DIR: outDir },
        })
  const before = new Set(readdirSync(outDir))
  let rps: number | null = null
  try {
    const run = await runClosed(
      {
        engine: 'closed',
        url: server.url,
        requests: productPaths,
        durationS: ctx.options.durationS * 2,
        warmupS: ctx.options.warmupS,
        connections: ctx.options.connections,
      },
      ctx.options.tool,
      { serverRoots: [server.proc.pid], ownRoots },
    )
    rps = run.output.rps
  } finally {
    // a graceful stop: the profiled process writes its profile as it exits
    await server.stop()
  }
  const file = readdirSync(outDir).find((f) => !before.has(f) && f.endsWith('.md')) ?? null
  const top = file ? hotFunctions(readFileSync(join(outDir, file), 'utf8')) : []
  p.end(file ? `${Math.round(rps ?? 0)} req/s; profile ${file}` : 'no profile was written')
  return {
    target: spec,
    file,
    durationS: ctx.options.durationS * 2,
    rps,
    top,
    ...(file ? {} : { error: `${spec}: no profile was written (is the service name right?)` }),
  }
}
