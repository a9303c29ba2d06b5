import { freePort } from '../../shared/testing/process.ts'
import { prepareActors, referenceData } from '../actors.ts'
import { call, chaos, control, hasChaos, type Status, status } from '../api.ts'
import {
  dataDirFor,
  freePortBlock,
  ownRoots,
  type Running,
  startMicro,
  startMonolith,
} from '../deploy.ts'
import {
  cellFigures,
  chaosTarget,
  FAULT_CLASSES,
  FAULT_MODULES,
  FAULT_PARAMS,
  type FaultCell,
  type FaultClass,
  type FaultClassesResult,
} from '../fault-classes.ts'
import { mergeFlags } from '../flags.ts'
import { runPaced } from '../load.ts'
import { DEPLOYMENTS, type Deployment } from '../plan.ts'
import { saturatedSteady } from '../results.ts'
import type { Actors } from '../workload.ts'
import { calibrate } from './calibrate.ts'
import { type BenchContext, pacedFlags } from './common.ts'
import { pacedStreams } from './failure.ts'

// CellPlan is one cell to run: a class, a module, a deployment
export interface CellPlan {
  cls: FaultClass
  module: string
  deployment: Deployment
}

// planCells lists the matrix's cells per deployment: every class × module on both deployments,
// or (quick) each class once, alternating deployment and module
export function planCells(quick: boolean): CellPlan[] {
  const cells: CellPlan[] = []
  if (quick) {
    FAULT_CLASSES.forEach((cls, i) => {
      cells.push({
        cls,
        module: cls.id === 'poison' ? 'payments' : FAULT_MODULES[i % FAULT_MODULES.length]!,
        deployment: DEPLOYMENTS[i % DEPLOYMENTS.length]!,
      })
    })
    return cells
  }
  for (const deployment of DEPLOYMENTS)
    for (const cls of FAULT_CLASSES)
      for (const module of FAULT_MODULES) cells.push({ cls, module, deployment })
  return cells
}

// processes maps each process of a deployment to "pid/restarts", to see which ones restarted
const processes = (s: Status | null) =>
  new Map(
    (s?.services ?? []).map((x) => [
      `${x.name}${x.replica ? `#${x.replica}` : ''}`,
      `${x.pid}/${x.restarts}`,
    ]),
  )

const deadLettered = (s: Status | null) =>
  s ? s.queues.reduce((n, q) => n + q.deadLettered, 0) : null
const pending = (s: Status | null) => (s ? s.queues.reduce((n, q) => n + q.pending, 0) : null)
const allUp = (s: Status | null) =>
  !!s && s.services.length > 0 && s.services.every((x) => x.healthy)

// waitFor polls until a condition holds or the time is up; returns whether it held
async function waitFor(ok: () => Promise<boolean>, maxMs: number, everyMs = 200) {
  const until = Date.now() + maxMs
  for (;;) {
    if (await ok()) return true
    if (Date.now() > until) return false
    await Bun.sleep(everyMs)
  }
}

// notificationsByOrder reads every customer's payment confirmations, page by page
async function notificationsByOrder(base: string, actors: Actors) {
  const seen = new Map<string, number>()
  for (const u of actors.users) {
    let cursor: string | null = null
    for (let page = 0; page < 1000; page++) {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      const r = await call(base, 'GET', `/api/notifications?limit=100${q}`, { token: u.token })
      if (r.status !== 200) break
      for (const n of (r.body?.items ?? []) as { kind: string; orderId?: string }[]) {
        if (n.kind === 'payment-confirmation' && n.orderId)
          seen.set(n.orderId, (seen.get(n.orderId) ?? 0) + 1)
      }
      cursor = (r.body?.nextCursor as string | null) ?? null
      if (!cursor) break
    }
  }
  return seen
}

const startCommand = (d: Deployment) =>
  `npm run ${d === 'monolith' ? 'monolith' : 'micro'} -- --max-rss ${FAULT_PARAMS.maxRssMiB}`

// one deployment's cells, in sequence on one running deployment (restarts on: the keeper or
// the supervisor brings a killed process back), healing between cells
async function deploymentCells(
  ctx: BenchContext,
  deployment: Deployment,
  plans: CellPlan[],
  rate: number,
): Promise<FaultCell[]> {
  const s = ctx.settings.faultClasses
  const p = ctx.progress
  const dataDir = dataDirFor(ctx.workDir, `fault-classes-${deployment}`)
  const server: Running =
    deployment === 'monolith'
      ? await startMonolith({
          dataDir,
          port: freePort(),
          reset: true,
          keeper: true,
          maxRssMiB: FAULT_PARAMS.maxRssMiB,
        })
      : await startMicro({
          dataDir,
          base: freePortBlock(),
          reset: true,
          maxRssMiB: FAULT_PARAMS.maxRssMiB,
        })
  const cells: FaultCell[] = []
  try {
    const base = server.url
    const ref = await referenceData(base)
    const actors = await prepareActors(base, ref, { users: s.users, orders: 2 })
    const chaosRoutes = await hasChaos(base, actors.admin)
    const orders: [string, number][] = []
    for (const [k, plan] of plans.entries()) {
      const cell = await runCell(ctx, plan, { base, server, actors, chaosRoutes, rate, seed: k })
      cells.push(cell.cell)
      orders.push(...cell.orders.map((id): [string, number] => [id, cells.length - 1]))
    }
    // messages: once the queues drained, every confirmed order should have exactly one
    // payment confirmation; each order belongs to the cell that placed it
    const countLabel = `${deployment} · draining, counting messages`
    p.begin(countLabel)
    await waitFor(async () => pending(await status(base)) === 0, s.drainS * 1000, 250)
    const seen = await notificationsByOrder(base, actors)
    for (const [i, c] of cells.entries()) {
      if (c.state !== 'measured') continue
      const ids = orders.filter(([, k]) => k === i).map(([id]) => id)
      c.messages = {
        confirmed: ids.length,
        lost: ids.filter((id) => !seen.has(id)).length,
        duplicated: ids.reduce((n, id) => n + Math.max(0, (seen.get(id) ?? 0) - 1), 0),
      }
      // a poisoned message is dead-lettered by design: its confirmation is the one missing
      const expected = c.cls === 'poison' ? (c.deadLetters ?? 0) : 0
      if (c.messages.duplicated || c.messages.lost > expected)
        c.notes.push('messages lost or duplicated')
      else if (c.messages.lost)
        c.notes.push(`${c.messages.lost} confirmation(s) missing: the dead-lettered message(s)`)
    }
    const lost = cells.reduce((n, c) => n + (c.messages?.lost ?? 0), 0)
    // begin again: in a quick run the other deployment's steps interleave with this one's
    p.begin(countLabel)
    p.end(`${orders.length} orders, ${lost} confirmations missing`)
    return cells
  } finally {
    await server.stop()
  }
}

// runCell is one cell: paced mixed load, steady → fault → heal → recover, then waits (bounded)
// until every process is back and the queues drained, and reads what the data shows
async function runCell(
  ctx: BenchContext,
  plan: CellPlan,
  env: {
    base: string
    server: Running
    actors: Actors
    chaosRoutes: boolean
    rate: number
    seed: number
  },
): Promise<{ cell: FaultCell; orders: string[] }> {
  const s = ctx.settings.faultClasses
  const p = ctx.progress
  const { cls, module, deployment } = plan
  const { base, actors } = env
  const target = chaosTarget(cls.id, module)
  const label = `${cls.id} · ${module} · ${deployment}`
  const phases = {
    steadyMs: s.steadyS * 1000,
    faultMs: s.faultS * 1000,
    recoverMs: s.recoverS * 1000,
  }
  const cell: FaultCell = {
    cls: cls.id,
    module,
    target,
    deployment,
    state: 'measured',
    cli: target ? [`npm run chaos -- ${cls.cli(target)}`, `npm run chaos -- heal ${target}`] : [],
    ratePerEndpoint: env.rate,
    phases,
    faultAtMs: null,
    healAtMs: null,
    endpoints: [],
    unrelatedServed: null,
    unrelatedP99SteadyMs: null,
    unrelatedP99FaultMs: null,
    needingServed: null,
    needingP99SteadyMs: null,
    needingP99FaultMs: null,
    recoveryMs: null,
    deadlineAnswers: 0,
    noAnswer: 0,
    breakerOpenMs: null,
    restarted: [],
    backAfterMs: null,
    deadLetters: null,
    messages: null,
    saturated: false,
    forcedRestart: false,
    flags: [],
    notes: [],
  }
  if (!target) {
    cell.state = 'not-applicable'
    cell.reason = `nothing consumes the messages of ${module}`
    p.note(`${label}: not applicable (${cell.reason})`)
    return { cell, orders: [] }
  }
  if (!env.chaosRoutes) {
    cell.state = 'unavailable'
    cell.reason = 'the deployment serves no chaos routes'
    return { cell, orders: [] }
  }
  const before = await status(base)
  let t0 = 0
  let schedule: Promise<void> = Promise.resolve()
  let upAt: number | null = null
  let healed = false
  const script = async () => {
    await Bun.sleep(phases.steadyMs)
    cell.faultAtMs = Date.now() - t0
    const r = await chaos(base, actors.admin, cls.action, cls.body(target)).catch(
      (error: Error) => ({ status: 0, body: { detail: error.message } }),
    )
    if (r.status !== 200) {
      cell.state = 'unavailable'
      cell.reason = `POST /_/chaos/${cls.action} answered ${r.status}${r.body?.detail ? `: ${r.body.detail}` : ''}`
    }
    p.tick(`· ${cls.id} ${target}`)
    const until = t0 + phases.steadyMs + phases.faultMs
    while (Date.now() < until) {
      if (deployment === 'micro' && cell.breakerOpenMs === null) {
        const st = await status(base, 400)
        const open = st?.breakers.find((b) => b.to === target && b.state === 'open')
        if (open) cell.breakerOpenMs = Date.now() - t0 - cell.faultAtMs
      }
      await Bun.sleep(Math.max(0, Math.min(200, until - Date.now())))
    }
    cell.healAtMs = Date.now() - t0
    p.tick('· heal')
    // a process that died comes back without the fault; heal the rest, retried while it is
    // restarting or busy (a process under a cpu fault takes the heal only after the calls
    // queued before it have burnt their CPU), bounded
    const healBy = Date.now() + s.healS * 1000
    while (!healed && Date.now() < healBy) {
      const h = await call(base, 'POST', '/_/chaos/heal', {
        token: actors.admin,
        body: { target },
        timeoutMs: Math.max(500, Math.min(5000, healBy - Date.now())),
      }).catch(() => null)
      if (h?.status === 200) healed = true
      else await Bun.sleep(200)
    }
    if (await waitFor(async () => allUp(await status(base, 400)), phases.recoverMs, 150))
      upAt = Date.now() - t0
  }
  const durationS = (phases.steadyMs + phases.faultMs + phases.recoverMs) / 1000
  p.begin(`${label} · ${durationS} s`)
  const run = await runPaced(
    {
      engine: 'paced',
      durationS,
      streams: pacedStreams(base, actors, env.rate, 100 + env.seed),
      timeoutMs: s.timeoutMs,
    },
    {
      serverRoots: [env.server.proc.pid],
      ownRoots,
      onStart: (epoch) => {
        t0 = epoch
        schedule = script().catch((error) => {
          cell.notes.push(`fault script: ${(error as Error).message}`)
        })
      },
    },
  )
  await schedule
  if (!healed) {
    // the process could not even take the heal (a cpu fault's backlog outgrows the load): the
    // bench restarts what holds the fault, as an operator would, so the next cell starts clean
    cell.forcedRestart = true
    cell.notes.push(
      `the heal was not answered within ${s.healS} s: the bench killed ` +
        `${deployment === 'monolith' ? 'the monolith process' : target} to end the fault`,
    )
    if (deployment === 'monolith') {
      const pid = before?.services.find((x) => x.name === 'monolith')?.pid
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // it is gone already
        }
      }
    } else {
      await control(base, actors.admin, 'kill', target).catch((error: Error) => {
        cell.notes.push(`kill ${target}: ${error.message}`)
      })
    }
    // the keeper or the supervisor restarts it: wait for that below
    upAt = null
    await Bun.sleep(300)
  }
  // a killed process is waited for (bounded) so the next cell starts on a whole deployment
  if (upAt === null) {
    const waited = Date.now()
    if (await waitFor(async () => allUp(await status(base, 1000)), s.backS * 1000, 250))
      upAt = Date.now() - t0
    else
      cell.notes.push(
        `not every process was back ${Math.round((Date.now() - waited) / 1000)} s after the run`,
      )
  }
  // the queues drain before the dead letters are read (a poison message is retried first)
  await waitFor(async () => pending(await status(base)) === 0, s.cellDrainS * 1000, 200)
  const after = await status(base)
  const pb = processes(before)
  const pa = processes(after)
  cell.restarted = [...pa.keys()].filter((k) => pb.has(k) && pb.get(k) !== pa.get(k))
  if (cell.restarted.length && upAt !== null && cell.healAtMs !== null)
    cell.backAfterMs = Math.max(0, upAt - cell.healAtMs)
  const db = deadLettered(before)
  const da = deadLettered(after)
  cell.deadLetters = db === null || da === null ? null : da - db
  const orders = run.output.streams.flatMap((x) => x.orders.map(([id]) => id))
  const stepLabel = `${label} · ${durationS} s`
  if (cell.state !== 'measured') {
    p.begin(stepLabel)
    p.end(`not available: ${cell.reason}`)
    return { cell, orders }
  }
  const endMs = durationS * 1000
  Object.assign(
    cell,
    cellFigures(
      run.output.streams,
      target,
      {
        faultAtMs: cell.faultAtMs!,
        healAtMs: cell.healAtMs!,
        endMs,
      },
      cls.waitMs,
    ),
  )
  cell.flags = mergeFlags(pacedFlags(ctx, run))
  cell.saturated = saturatedSteady(run.output.streams, { from: 0, to: cell.faultAtMs! }, cell.flags)
  if (cell.saturated) cell.notes.push('saturated before the fault: no verdict from this cell')
  const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)} %`)
  p.begin(stepLabel)
  p.end(
    `unrelated ${pct(cell.unrelatedServed)}, needing ${pct(cell.needingServed)}` +
      (cell.breakerOpenMs !== null ? `, breaker ${cell.breakerOpenMs} ms` : '') +
      (cell.restarted.length ? `, restarted ${cell.restarted.join(' ')}` : '') +
      (cell.deadLetters ? `, ${cell.deadLetters} dead letters` : '') +
      (cell.saturated ? ' [saturated]' : ''),
  )
  return { cell, orders }
}

// faultClassesScenario injects each fault class into the write path (payments) and the read
// path (reviews) of each deployment under a paced mixed load, and measures what the endpoints
// that do not need the faulty module kept serving, how fast everything recovered after the
// heal, and what became of the messages. Each deployment starts once and runs its cells in
// sequence; quick runs run each class once and both deployments side by side
export async function faultClassesScenario(ctx: BenchContext): Promise<FaultClassesResult> {
  const calibration = await calibrate(ctx)
  const plans = planCells(ctx.options.quick)
  const byDeployment = DEPLOYMENTS.map((d) => plans.filter((x) => x.deployment === d))
  const run = (d: Deployment, ps: CellPlan[]) =>
    ps.length ? deploymentCells(ctx, d, ps, calibration.ratePerEndpoint) : Promise.resolve([])
  const cells: FaultCell[] = []
  if (ctx.options.quick) {
    const all = await Promise.all(DEPLOYMENTS.map((d, i) => run(d, byDeployment[i]!)))
    cells.push(...all.flat())
  } else {
    for (const [i, d] of DEPLOYMENTS.entries()) cells.push(...(await run(d, byDeployment[i]!)))
  }
  return {
    cells,
    calibration,
    params: FAULT_PARAMS,
    starts: DEPLOYMENTS.map((d) => ({ deployment: d, command: startCommand(d) })),
  }
}
