import { readlinkSync } from 'node:fs'
import { basename } from 'node:path'
import { freePort } from '../../shared/testing/process.ts'
import { planFor } from '../../shared/wiring/plan.ts'
import { prepareActors, referenceData } from '../actors.ts'
import { ADMIN, control, login, status } from '../api.ts'
import {
  dataDirFor,
  freePortBlock,
  ownRoots,
  type Running,
  startMicro,
  startMonolith,
} from '../deploy.ts'
import {
  blastRadius,
  groupsOf,
  type LayoutRun,
  type LayoutSpec,
  type LayoutsFigures,
  layoutMismatch,
  type ProcessGroup,
  runtimeMismatch,
  type StatusProcess,
  saturatedBeforeKill,
  TECH_SERVICE,
  type TechRow,
} from '../layouts.ts'
import { runPaced } from '../load.ts'
import type { RequestTemplate } from '../loadgen.ts'
import { sampleProcess, sampleTrees } from '../procfs.ts'
import { affected } from '../report-model.ts'
import { type Actors, productId, templates } from '../workload.ts'
import { type BenchContext, fmtMs, measureClosed, probe } from './common.ts'
import { pacedStreams } from './failure.ts'

// runtimeOf names the executable a process runs (bun, node), or null when it is gone
export function runtimeOf(pid: number): string | null {
  try {
    // bun ships as bun or bun.exe (npm's package), node as node or node20
    const exe = basename(readlinkSync(`/proc/${pid}/exe`))
    return /^bun/.test(exe) ? 'bun' : /^node/.test(exe) ? 'node' : exe
  } catch {
    return null
  }
}

// firstLine is an error's message without its stack or captured output
const firstLine = (error: unknown) => String((error as Error).message ?? error).split('\n')[0]!

// processGroups asks the gateway which processes run which modules
async function processGroups(base: string): Promise<ProcessGroup[]> {
  const st = await status(base, 5000)
  return st ? groupsOf(st.services as StatusProcess[], runtimeOf) : []
}

// startLayout starts one layout on fresh data; nothing restarts on its own
async function startLayout(
  ctx: BenchContext,
  spec: LayoutSpec,
  env: Record<string, string> = {},
): Promise<Running> {
  try {
    return await startOnce(ctx, spec, env)
  } catch (error) {
    // another program took a port of the block between the check and the bind (the processes
    // without restart stay down): once more on another block
    if (!String((error as Error).message).includes('EADDRINUSE')) throw error
    ctx.progress.note(`${spec.label}: a port was taken meanwhile, starting on another block`)
    return startOnce(ctx, spec, env)
  }
}

function startOnce(ctx: BenchContext, spec: LayoutSpec, env: Record<string, string>) {
  const dataDir = dataDirFor(ctx.workDir, `layouts-${spec.id}`)
  if (spec.deployment === 'monolith') {
    return startMonolith({ dataDir, port: freePort(), reset: true, label: spec.label })
  }
  return startMicro({
    dataDir,
    base: freePortBlock(),
    reset: true,
    noRestart: true,
    label: `layout ${spec.id}`,
    env: {
      ...(spec.layout ? { TWINSTACK_LAYOUT: spec.layout } : {}),
      ...(spec.nodeServices?.length
        ? { TWINSTACK_NODE_SERVICES: spec.nodeServices.join(',') }
        : {}),
      ...env,
    },
  })
}

// killPayments SIGKILLs the process that hosts payments (the whole monolith, or the group
// with payments in it, every replica) and says what it hosted
function killPayments(server: Running, groups: readonly ProcessGroup[]) {
  const group = groups.find((g) => g.modules.includes('payments'))
  const pids = group ? group.pids : [server.proc.pid]
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  return group
    ? { name: group.name, modules: group.modules }
    : { name: 'monolith', modules: ['every module'] }
}

// emptyRun is a layout with nothing measured yet
const emptyRun = (spec: LayoutSpec): LayoutRun => ({
  id: spec.id,
  label: spec.label,
  deployment: spec.deployment,
  layout: spec.layout,
  available: false,
  groups: [],
  processes: null,
  startMs: null,
  runs: [],
  hops: { product: null, checkout: null },
  rssBytes: null,
  blast: null,
  notes: [],
})

// measureLayout runs one layout: start, closed-loop product page and checkout, hops, memory,
// then a short paced load while the process hosting payments is killed
async function measureLayout(ctx: BenchContext, spec: LayoutSpec): Promise<LayoutRun> {
  const s = ctx.settings.layouts
  const p = ctx.progress
  const out = emptyRun(spec)
  p.begin(`${spec.label} · starting`)
  let server: Running
  try {
    server = await startLayout(ctx, spec)
  } catch (error) {
    // the reference points must run; a layout this build refuses is "not available"
    if (spec.layout === null || spec.layout === 'micro') throw error
    out.reason = `it did not start: ${firstLine(error)}`
    p.end(`not available: ${out.reason}`)
    return out
  }
  try {
    out.startMs = server.startMs
    out.groups =
      spec.deployment === 'monolith'
        ? [
            {
              name: 'monolith',
              modules: ['every module'],
              runtime: runtimeOf(server.proc.pid) ?? 'unknown',
              pids: [server.proc.pid],
            },
          ]
        : await processGroups(server.url)
    const mismatch = layoutMismatch(spec, out.groups)
    if (mismatch) {
      out.reason = `this build does not run --layout ${spec.layout} (${mismatch})`
      p.end(`not available: ${out.reason}`)
      return out
    }
    const wrongRuntime = runtimeMismatch(spec, out.groups)
    out.notes.push(...wrongRuntime)
    out.nodeMissing = wrongRuntime.length > 0
    out.available = true
    out.processes = sampleTrees([server.proc.pid]).pids.length
    p.end(
      `${out.processes} processes, healthy after ${Math.round(server.startMs)} ms: ` +
        out.groups.map((g) => `${g.modules.join('+')} (${g.runtime})`).join(', '),
    )

    p.begin(`${spec.label} · logging in`)
    const ref = await referenceData(server.url)
    const actors = await prepareActors(server.url, ref, { users: s.users, orders: 3 })
    const cells: [string, 'product' | 'checkout', RequestTemplate[]][] = [
      ['product page', 'product', templates('product', actors, 256)],
      ['checkout', 'checkout', templates('checkout', actors, 2048)],
    ]
    for (const [cell, endpoint, requests] of cells) {
      p.begin(`${cell} · ${spec.label} probe`)
      const pr = await probe(server.url, requests, s.probeRequests)
      out.hops[endpoint] = pr.hops
      p.end(`one at a time: ${fmtMs(pr.p50Ms)}, hops ${pr.hops ?? 'n/a'}`)
      out.runs.push(
        await measureClosed(
          ctx,
          { scenario: 'layouts', cell, deployment: spec.id, repeat: 0 },
          { url: server.url, servers: [server] },
          requests,
          { durationS: s.durationS, warmupS: s.warmupS, connections: s.connections },
        ),
      )
    }
    const peaks = out.runs.map((r) => r.serverPeakRssBytes).filter((x): x is number => x !== null)
    out.rssBytes = peaks.length ? Math.max(...peaks) : sampleTrees([server.proc.pid]).rssBytes
    out.blast = await blast(ctx, spec, server, out.groups, actors)
    return out
  } finally {
    await server.stop()
  }
}

// settle waits (at most 15 s) until the closed-loop runs' backlog is gone: a product page answers
// quickly twice in a row (after a checkout run one process of the monolith layout answered its
// first product page 1.4 s late)
async function settle(base: string) {
  const deadline = Date.now() + 15_000
  let quick = 0
  while (quick < 2 && Date.now() < deadline) {
    const t0 = performance.now()
    try {
      const res = await fetch(`${base}/api/products/${productId(1)}`, {
        signal: AbortSignal.timeout(5000),
      })
      await res.arrayBuffer()
      quick = res.ok && performance.now() - t0 < 250 ? quick + 1 : 0
    } catch {
      quick = 0
    }
    if (quick < 2) await Bun.sleep(100)
  }
}

// blast measures what a SIGKILL of the process hosting payments takes down: a paced mixed load,
// the kill after the steady phase, availability per endpoint until the load ends
async function blast(
  ctx: BenchContext,
  spec: LayoutSpec,
  server: Running,
  groups: readonly ProcessGroup[],
  actors: Actors,
) {
  const s = ctx.settings.layouts
  const p = ctx.progress
  const durationS = s.steadyS + s.faultS
  let killAtMs: number | null = null
  let killed = { name: '', modules: [] as string[] }
  let timer: ReturnType<typeof setTimeout> | undefined
  p.begin(`${spec.label} · payments killed under ${s.rate} req/s per endpoint`)
  await settle(server.url)
  const run = await runPaced(
    {
      engine: 'paced',
      durationS,
      streams: pacedStreams(server.url, actors, s.rate),
      timeoutMs: 2000,
    },
    {
      serverRoots: [server.proc.pid],
      ownRoots,
      onStart: (epoch) => {
        timer = setTimeout(() => {
          killAtMs = Date.now() - epoch
          killed = killPayments(server, groups)
        }, s.steadyS * 1000)
      },
    },
  )
  clearTimeout(timer)
  const spanMs = durationS * 1000
  // on this kind of machine the paced load alone may leave no idle CPU: what counts is whether
  // the layout served it before the kill
  const saturated = saturatedBeforeKill(run.output.streams, killAtMs)
  // what the manifests expect: the monolith takes every endpoint down with it, a group those
  // needing any of its modules
  const all = run.output.streams.map((x) => x.name)
  const expected =
    spec.layout === null ? all : affected(killed.name, planFor(spec.layout ?? 'micro'))
  const b = blastRadius(
    killed,
    run.output.streams,
    { from: killAtMs ?? spanMs, to: spanMs },
    saturated,
    { needing: affected('payments'), expected },
  )
  const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)} %`)
  p.end(
    `killed ${b.killed} (${b.modules.join('+')}): endpoints down ${pct(b.endpointsDown)}, ` +
      `unrelated served ${pct(b.unrelatedServed)}${saturated ? ' [saturated before the kill]' : ''}`,
  )
  return b
}

// techRow measures TECH_SERVICE at its own port (the service token added, as the gateway does)
// on a micro deployment where it runs on `runtime`, and times its restarts
async function techRow(ctx: BenchContext, runtime: 'bun' | 'node'): Promise<TechRow> {
  const s = ctx.settings.layouts
  const p = ctx.progress
  const row: TechRow = { runtime, available: false, run: null, rssBytes: null, startMs: [] }
  const token = `bench-${crypto.randomUUID()}`
  p.begin(`${TECH_SERVICE} on ${runtime} · starting`)
  const spec: LayoutSpec = {
    id: `tech-${runtime}`,
    label: `${TECH_SERVICE} on ${runtime}`,
    deployment: 'micro',
    // every module in a process of its own, the service's on Node
    layout: runtime === 'node' ? `node:${TECH_SERVICE}` : null,
    ...(runtime === 'node' ? { nodeServices: [TECH_SERVICE] } : {}),
  }
  let server: Running
  try {
    server = await startLayout(ctx, spec, { TWINSTACK_SERVICE_TOKEN: token })
  } catch (error) {
    if (runtime === 'bun') throw error
    row.reason = `it did not start: ${firstLine(error)}`
    p.end(`not available: ${row.reason}`)
    return row
  }
  try {
    const st = await status(server.url, 5000)
    const entry = (st?.services as (StatusProcess & { url?: string })[] | undefined)?.find(
      (x) => x.name === TECH_SERVICE || x.modules?.includes(TECH_SERVICE),
    )
    const ran = entry?.pid ? runtimeOf(entry.pid) : null
    if (!entry?.url || !entry.pid || ran !== runtime) {
      row.reason = entry?.pid
        ? `asked for ${runtime}, ${TECH_SERVICE} runs on ${ran ?? 'unknown'}: this build cannot run it on ${runtime}`
        : `${TECH_SERVICE} is not in /_/status`
      p.end(`not available: ${row.reason}`)
      return row
    }
    row.available = true
    p.end(`${TECH_SERVICE} pid ${entry.pid} runs ${ran}`)
    const requests: RequestTemplate[] = Array.from({ length: 200 }, (_, i) => ({
      method: 'GET',
      path: `/api/products/${productId(1 + ((i * 97) % 1000))}/reviews`,
      headers: { 'X-Service-Token': token },
    }))
    row.run = await measureClosed(
      ctx,
      { scenario: 'layouts', cell: `${TECH_SERVICE} read`, deployment: runtime, repeat: 0 },
      { url: entry.url, servers: [server] },
      requests,
      { durationS: s.durationS, warmupS: s.warmupS, connections: s.connections },
    )
    // the service's own memory, not the deployment's
    row.rssBytes = sampleProcess(entry.pid)?.rssBytes ?? null
    const admin = (await login(server.url, ADMIN)).token
    for (let i = 0; i < s.starts; i++) {
      p.begin(`${TECH_SERVICE} on ${runtime} · restart #${i + 1}`)
      await control(server.url, admin, 'stop', entry.name)
      // the supervisor answers once the new process's /_/health answers
      const t0 = performance.now()
      await control(server.url, admin, 'start', entry.name)
      const ms = performance.now() - t0
      row.startMs.push(ms)
      p.end(`healthy after ${Math.round(ms)} ms`)
    }
    return row
  } finally {
    await server.stop()
  }
}

// layoutsScenario measures the layouts one after another, then the technology row
export async function layoutsScenario(ctx: BenchContext): Promise<LayoutsFigures> {
  const s = ctx.settings.layouts
  const layouts: LayoutRun[] = []
  for (const spec of s.layouts) {
    try {
      layouts.push(await measureLayout(ctx, spec))
    } catch (error) {
      // the reference points must be measured; another layout that fails says so in its row
      if (spec.layout === null || spec.layout === 'micro') throw error
      ctx.progress.note(`${spec.label} failed: ${firstLine(error)}`)
      layouts.push({ ...emptyRun(spec), failed: firstLine(error) })
    }
  }
  let technology: LayoutsFigures['technology'] = null
  if (s.technology) {
    const rows: TechRow[] = []
    for (const runtime of ['bun', 'node'] as const) rows.push(await techRow(ctx, runtime))
    technology = { service: TECH_SERVICE, rows }
  }
  return { layouts, ratePerEndpoint: s.rate, technology }
}
