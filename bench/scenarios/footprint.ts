import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../../shared/testing/process.ts'
import { dataDirFor, freePortBlock, type Running, startMicro, startMonolith } from '../deploy.ts'
import { DEPLOYMENTS, type Deployment } from '../plan.ts'
import { sampleTrees } from '../procfs.ts'
import type { FootprintFigures } from '../results.ts'
import { templates } from '../workload.ts'
import { type BenchContext, measureClosed } from './common.ts'

const ROOT = join(import.meta.dir, '..', '..')
const BINARY = join(ROOT, 'dist', 'twinstack')

// dirBytes sums the sizes of the files under a directory
export function dirBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0
  let files = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      const sub = dirBytes(path)
      bytes += sub.bytes
      files += sub.files
    } else if (entry.isFile()) {
      bytes += statSync(path).size
      files++
    }
  }
  return { bytes, files }
}

// binary measures dist/twinstack (one executable for both deployments), building it if asked
async function binary(build: boolean): Promise<FootprintFigures['binary']> {
  let built = false
  if (!existsSync(BINARY) && build) {
    const proc = Bun.spawn(
      [
        process.execPath,
        'build',
        '--compile',
        '--minify',
        '--sourcemap',
        'twinstack.ts',
        '--outfile',
        BINARY,
      ],
      { cwd: ROOT, stdout: 'ignore', stderr: 'ignore' },
    )
    const timer = setTimeout(() => proc.kill('SIGKILL'), 180_000)
    await proc.exited
    clearTimeout(timer)
    built = proc.exitCode === 0
  }
  return existsSync(BINARY) ? { path: 'dist/twinstack', bytes: statSync(BINARY).size, built } : null
}

// footprintScenario measures cold starts (first start with seeding, and restart on existing
// data) to all-healthy, RSS idle and under load, data on disk, and the binary's size
export async function footprintScenario(ctx: BenchContext): Promise<FootprintFigures> {
  const s = ctx.settings.footprint
  const p = ctx.progress
  const out: FootprintFigures = {
    starts: [],
    memory: [],
    dataBytes: [],
    binary: null,
    generatorCores: null,
  }
  const dirs: Record<Deployment, string> = {
    monolith: dataDirFor(ctx.workDir, 'footprint-mono'),
    micro: dataDirFor(ctx.workDir, 'footprint-micro'),
  }
  const start = (d: Deployment, reset: boolean): Promise<Running> =>
    d === 'monolith'
      ? startMonolith({ dataDir: dirs.monolith, port: freePort(), reset })
      : startMicro({ dataDir: dirs.micro, base: freePortBlock(), reset })
  // one at a time, never overlapping: a start competes for nothing but the machine
  for (let repeat = 0; repeat < s.repeats; repeat++) {
    for (const d of DEPLOYMENTS) {
      for (const kind of ['first (seeding)', 'restart'] as const) {
        p.begin(`${d} ${kind} #${repeat + 1}`)
        const r = await start(d, kind !== 'restart')
        out.starts.push({ deployment: d, repeat, kind, ms: r.startMs })
        p.end(`healthy after ${Math.round(r.startMs)} ms`)
        const last = repeat === s.repeats - 1 && kind === 'restart'
        if (last) {
          await Bun.sleep(s.settleS * 1000)
          const idle = sampleTrees([r.proc.pid])
          const rec = await measureClosed(
            ctx,
            { scenario: 'footprint', cell: 'product page load', deployment: d, repeat: 0 },
            { url: r.url, servers: [r] },
            templates('product', {
              users: [],
              admin: '',
              orderIds: [],
              searchTerms: [],
              stock: [],
            }),
            { durationS: s.loadS, warmupS: 0, connections: ctx.options.connections },
          )
          out.memory.push({
            deployment: d,
            processes: idle.pids.length,
            idleRssBytes: idle.rssBytes,
            loadRssBytes: rec.serverPeakRssBytes,
            loadRps: rec.rps,
          })
          out.generatorCores = Math.max(out.generatorCores ?? 0, rec.generatorCores ?? 0)
        }
        await r.stop()
      }
    }
  }
  for (const d of DEPLOYMENTS) out.dataBytes.push({ deployment: d, ...dirBytes(dirs[d]) })
  p.begin('binary size')
  out.binary = await binary(s.buildBinary)
  p.end(
    out.binary
      ? `${(out.binary.bytes / 1e6).toFixed(1)} MB`
      : 'dist/twinstack not built (npm run build)',
  )
  return out
}
