import { freePort } from '../../shared/testing/process.ts'
import { prepareActors, referenceData } from '../actors.ts'
import { call, chaos, control, hasChaos, pendingMessages, status } from '../api.ts'
import {
  dataDirFor,
  freePortBlock,
  ownRoots,
  type Running,
  startMicro,
  startMonolith,
} from '../deploy.ts'
import { mergeFlags } from '../flags.ts'
import { type PacedRun, runPaced } from '../load.ts'
import type { PacedStream } from '../loadgen.ts'
import { DEPLOYMENTS, type Deployment, ENDPOINTS } from '../plan.ts'
import { affected } from '../report-model.ts'
import { type FaultRun, saturatedSteady } from '../results.ts'
import { availability, type PacedRecord, quantile, recoveryMs, timeline } from '../stats.ts'
import { type Actors, templates } from '../workload.ts'
import { calibrate } from './calibrate.ts'
import { type BenchContext, pacedFlags } from './common.ts'

// pacedStreams is the steady mixed load: every endpoint of scenario 2 at the same rate (the
// seed picks the requests: runs on one deployment vary it so checkouts spread over products)
export function pacedStreams(base: string, actors: Actors, rate: number, seed = 7): PacedStream[] {
  return ENDPOINTS.map((e) => ({
    name: e.label,
    url: base,
    rate,
    requests: templates(e.id, actors, e.id === 'checkout' ? 2048 : 256, seed),
    ...(e.id === 'checkout' ? { capture: 'order' as const } : {}),
    ...(e.id === 'product' ? { capture: 'degraded' as const } : {}),
  }))
}

// bucketed turns a paced run's records into per-endpoint timelines
export function bucketed(run: PacedRun, bucketMs: number, spanMs: number) {
  return {
    bucketMs,
    endpoints: run.output.streams.map((s) => {
      const t = timeline(s.records, bucketMs, spanMs)
      return { name: s.name, total: t.total, ok: t.ok }
    }),
  }
}

// countMessages checks that every confirmed order got exactly one payment confirmation:
// notifications read per customer after the queues drained, and the read model's order count
export async function countMessages(
  base: string,
  actors: Actors,
  confirmed: [string, number][],
  drainS: number,
): Promise<FaultRun['messages']> {
  const deadline = Date.now() + drainS * 1000
  let pending: number | null = null
  for (;;) {
    pending = await pendingMessages(base)
    if (pending === 0 || Date.now() > deadline) break
    await Bun.sleep(250)
  }
  const st = await status(base)
  const deadLettered = st ? st.queues.reduce((n, q) => n + q.deadLettered, 0) : null
  const seen = new Map<string, number>()
  let complete = true
  for (const u of actors.users) {
    const r = await call(base, 'GET', '/api/notifications?limit=100', { token: u.token })
    const items = (r.body?.items ?? []) as { kind: string; orderId?: string }[]
    if (items.length >= 100) complete = false
    for (const n of items) {
      if (n.kind !== 'payment-confirmation' || !n.orderId) continue
      seen.set(n.orderId, (seen.get(n.orderId) ?? 0) + 1)
    }
  }
  const ids = new Set(confirmed.map(([id]) => id))
  let lost = 0
  let duplicated = 0
  for (const id of ids) {
    const n = seen.get(id) ?? 0
    if (n === 0) lost++
    if (n > 1) duplicated += n - 1
  }
  const report = await call(base, 'GET', '/api/reports/sales', { token: actors.admin })
  return {
    confirmed: ids.size,
    notified: [...ids].filter((id) => seen.has(id)).length,
    lost,
    duplicated,
    readModelOrders: report.status === 200 ? Number(report.body.orders) : null,
    pendingAfterDrain: pending,
    deadLettered,
    complete,
  }
}

// one failure run: fresh deployment, steady load, fault, restart, recovery, message count
async function faultRun(
  ctx: BenchContext,
  deployment: Deployment,
  target: string,
  rate: number,
): Promise<FaultRun> {
  const f = ctx.settings.failure
  const p = ctx.progress
  const dataDir = dataDirFor(ctx.workDir, `failure-${deployment}-${target}`)
  const port = deployment === 'monolith' ? freePort() : freePortBlock()
  // nothing restarts on its own: the fault lasts until the bench restarts what failed
  const start = (reset: boolean) =>
    deployment === 'monolith'
      ? startMonolith({ dataDir, port, reset, keeper: true, noRestart: true })
      : startMicro({ dataDir, base: port, reset, noRestart: true })
  p.begin(`${target} · ${deployment} · starting`)
  let server: Running = await start(true)
  const servers = [server]
  const notes: string[] = []
  try {
    const base = server.url
    // the seed's stock, read (once per bench run) before anyone has bought anything
    const ref = await referenceData(base)
    const actors = await prepareActors(base, ref, { users: ctx.options.quick ? 10 : 30, orders: 5 })
    const chaosRoutes = await hasChaos(base, actors.admin)
    // the same fault on both sides when the chaos routes exist: the next call into the target
    // ends the process that holds it (the whole monolith, or that service)
    const method = chaosRoutes
      ? deployment === 'micro'
        ? 'chaos crash: the next call into the service ends its process'
        : 'chaos crash: the next call into the module ends the monolith process'
      : deployment === 'micro'
        ? 'supervisor kill (SIGKILL every replica)'
        : 'SIGKILL of the monolith process'
    const events: FaultRun['events'] = []
    let t0 = 0
    const mark = (kind: string, detail: string) => {
      const atMs = Date.now() - t0
      events.push({ atMs, kind, detail })
      return atMs
    }
    let faultAtMs: number | null = null
    let restartAtMs: number | null = null
    let healthyAtMs: number | null = null
    let breakerOpenMs: number | null = null
    let schedule: Promise<void> = Promise.resolve()
    const durationS = f.steadyS + f.faultS + f.recoverS
    const script = async () => {
      await Bun.sleep(f.steadyS * 1000)
      p.tick(`· ${target} fails`)
      if (chaosRoutes) {
        faultAtMs = mark('fault', `chaos crash ${target}`)
        const r = await chaos(base, actors.admin, 'crash', { target })
        if (r.status !== 200) notes.push(`chaos crash answered ${r.status}`)
      } else if (deployment === 'micro') {
        faultAtMs = mark('fault', `kill ${target}`)
        await control(base, actors.admin, 'kill', target)
      } else {
        faultAtMs = mark('fault', `SIGKILL monolith (${target})`)
        const st = await status(base)
        const pid = st?.services.find((x) => x.name === 'monolith')?.pid
        if (pid) process.kill(pid, 'SIGKILL')
      }
      // watch the breakers (micro) until the restart
      const until = Date.now() + f.faultS * 1000
      while (Date.now() < until) {
        if (deployment === 'micro' && breakerOpenMs === null) {
          const st = await status(base, 400)
          const open = st?.breakers.find((b) => b.to === target && b.state === 'open')
          if (open) {
            breakerOpenMs = Date.now() - t0 - faultAtMs!
            mark('breaker', `${open.from} -> ${open.to} open`)
          }
        }
        await Bun.sleep(100)
      }
      p.tick(`· restarting ${target}`)
      restartAtMs = mark(
        'restart',
        deployment === 'micro' ? `start ${target}` : 'start the monolith',
      )
      if (deployment === 'micro') {
        await control(base, actors.admin, 'start', target)
      } else {
        // the crashed monolith's keeper has exited (--no-restart): start it again on its data
        await servers[0]!.stop()
        server = await start(false)
        servers[0] = server
      }
      healthyAtMs = mark('healthy', `${target} healthy`)
    }
    p.begin(`${target} · ${deployment} · ${durationS} s paced load`)
    const run = await runPaced(
      { engine: 'paced', durationS, streams: pacedStreams(base, actors, rate), timeoutMs: 3000 },
      {
        serverRoots: [server.proc.pid],
        ownRoots,
        onStart: (epoch) => {
          t0 = epoch
          schedule = script().catch((error) => {
            notes.push(`fault script: ${(error as Error).message}`)
          })
        },
        onMessage: (m) => {
          if (m.type === 'tick') {
            const ok = (m.ok as number[]).reduce((a, b) => a + b, 0)
            const total = (m.total as number[]).reduce((a, b) => a + b, 0)
            p.tick(
              `t=${Math.round(m.t / 1000)} s, ${total ? Math.round((100 * ok) / total) : 100} % served`,
            )
          }
        },
      },
    )
    await schedule
    const spanMs = durationS * 1000
    // the orders placed during setup count too: their messages travel the same way
    const confirmed: [string, number][] = [
      ...actors.orderIds.map((id): [string, number] => [id, -1]),
      ...run.output.streams.flatMap((s) => s.orders),
    ]
    p.begin(`${target} · ${deployment} · counting messages`)
    const messages = await countMessages(server.url, actors, confirmed, f.drainS)
    const during = { from: faultAtMs ?? spanMs, to: restartAtMs ?? spanMs }
    const endpoints = run.output.streams.map((s) => ({
      name: s.name,
      requests: s.records.length,
      availabilityBefore: availability(s.records, { from: 0, to: faultAtMs ?? spanMs }),
      availabilityDuring: availability(s.records, during),
      availabilityAfter: availability(s.records, { from: healthyAtMs ?? spanMs, to: spanMs }),
      recoveryMs: restartAtMs === null ? null : recoveryMs(s.records as PacedRecord[], restartAtMs),
      degraded: s.degraded,
    }))
    const flags = mergeFlags(pacedFlags(ctx, run))
    const saturated = saturatedSteady(
      run.output.streams,
      { from: 0, to: faultAtMs ?? spanMs },
      flags,
    )
    if (saturated) notes.push('saturated before the fault: no verdict from this run')
    // the requests that met the open breaker: those needing the target, until its restart
    const needing = affected(target)
    const metBreaker = run.output.streams
      .filter((s) => needing.includes(s.name))
      .flatMap((s) => s.records)
      .filter(
        (r) =>
          breakerOpenMs !== null &&
          r[0] >= faultAtMs! + breakerOpenMs &&
          r[0] < (restartAtMs ?? spanMs),
      )
      .map((r) => r[1])
    const openBreakerP99Ms = metBreaker.length ? quantile(metBreaker, 0.99) : null
    if (messages.lost || messages.duplicated) notes.push('messages lost or duplicated')
    if (!messages.complete) notes.push('a customer had 100+ notifications: the count may be short')
    const worst = endpoints
      .map(
        (e) =>
          `${e.name} ${e.availabilityDuring === null ? 'n/a' : `${Math.round(e.availabilityDuring * 100)} %`}`,
      )
      .join(', ')
    p.end(
      `during the fault: ${worst}; lost ${messages.lost}, duplicated ${messages.duplicated}` +
        (breakerOpenMs !== null ? `; breaker open after ${breakerOpenMs} ms` : ''),
    )
    return {
      target,
      deployment,
      method,
      ratePerEndpoint: rate,
      durationMs: spanMs,
      timeline: bucketed(run, f.bucketMs, spanMs),
      events,
      faultAtMs,
      restartAtMs,
      healthyAtMs,
      endpoints,
      breakerOpenMs,
      openBreakerP99Ms,
      saturated,
      messages,
      generatorCores: run.generatorCores,
      flags,
      notes,
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
  }
}

// failureScenario kills one service (micro) or crashes the same module (monolith) under a
// steady mixed load, holds the fault, restarts it, and measures availability per endpoint,
// time to breaker open, time to recover, and whether any message was lost or duplicated
export async function failureScenario(ctx: BenchContext) {
  const calibration = await calibrate(ctx)
  const runs: FaultRun[] = []
  for (const target of ctx.settings.failure.targets) {
    for (const d of DEPLOYMENTS) {
      runs.push(await faultRun(ctx, d, target, calibration.ratePerEndpoint))
    }
  }
  return { runs, calibration }
}
