// The fault-classes section of the report: the matrix (class × module, monolith and micro),
// a line per class naming the isolating mechanisms the data showed, and the detail per cell
import {
  FAULT_CLASSES,
  FAULT_MODULES,
  type FaultCell,
  type FaultClassesResult,
  type FaultClassId,
  ISOLATED,
  type Mechanism,
  mechanisms,
  verdictOf,
} from './fault-classes.ts'
import { DEPLOYMENTS } from './plan.ts'
import { calibrationText, f, type Section, type Table } from './report-model.ts'
import type { Results } from './results.ts'

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(x === 1 || x === 0 ? 0 : 1)} %`

const findCell = (cells: readonly FaultCell[], cls: string, module: string, deployment: string) =>
  cells.find((c) => c.cls === cls && c.module === module && c.deployment === deployment)

// matrixText is one matrix cell: the unrelated endpoints' served share, marked ✅ when isolated
export function matrixText(c: FaultCell | undefined): string {
  if (!c) return 'not run'
  if (c.state === 'unavailable') return 'not available'
  if (c.state === 'not-applicable') return 'not applicable'
  const v = verdictOf(c)
  if (v === 'n/a') return 'n/a'
  if (v === 'saturated') return `${pct(c.unrelatedServed)} (saturated: no verdict)`
  return `${v === 'isolated' ? '✅' : '❌'} ${pct(c.unrelatedServed)}`
}

// matrixRows lists the rows that ran: every class × module with at least one cell
export function matrixRows(fc: FaultClassesResult) {
  const rows: { cls: FaultClassId; module: string }[] = []
  for (const cls of FAULT_CLASSES)
    for (const module of FAULT_MODULES)
      if (fc.cells.some((c) => c.cls === cls.id && c.module === module))
        rows.push({ cls: cls.id, module })
  return rows
}

// faultMatrix is the matrix as a table; heat holds the served share per cell for the HTML
// heat map (null where there is no figure, or no verdict)
export function faultMatrix(fc: FaultClassesResult): Table {
  const rows = matrixRows(fc)
  const rowCells = rows.map((r) => DEPLOYMENTS.map((d) => findCell(fc.cells, r.cls, r.module, d)))
  return {
    caption:
      'share of the requests to the endpoints that do not need the faulty module served during ' +
      `the fault (✅ ≥ ${ISOLATED * 100} %)`,
    headers: ['fault', 'module', ...DEPLOYMENTS],
    rows: rows.map((r, i) => [
      r.cls,
      moduleText(r.module, rowCells[i]!.find(Boolean)),
      ...rowCells[i]!.map(matrixText),
    ]),
    heat: rowCells.map((cs) => [
      null,
      null,
      ...cs.map((c) =>
        c && c.state === 'measured' && !c.saturated ? (c.unrelatedServed ?? null) : null,
      ),
    ]),
  }
}

const moduleText = (module: string, c: FaultCell | undefined) =>
  c?.target && c.target !== module ? `${module} (via ${c.target})` : module

// classLine names, for one class, what each deployment's cells showed: the mechanisms seen
// and in how many of its measured cells, or that the fault spread
export function classLine(cls: FaultClassId, cells: readonly FaultCell[]): string | null {
  const mine = cells.filter((c) => c.cls === cls)
  if (!mine.length) return null
  const parts = DEPLOYMENTS.map((d) => {
    const cs = mine.filter((c) => c.deployment === d)
    if (!cs.length) return null
    const measured = cs.filter((c) => c.state === 'measured')
    if (!measured.length) {
      const why = cs.find((c) => c.reason)?.reason
      return `${d}: not available${why ? ` (${why})` : ''}`
    }
    const counts = new Map<Mechanism, number>()
    for (const c of measured) for (const m of mechanisms(c)) counts.set(m, (counts.get(m) ?? 0) + 1)
    const seen = [...counts.entries()].map(([m, n]) => `${m} (${n} of ${measured.length})`)
    const restarted = [...new Set(measured.flatMap((c) => c.restarted))]
    const served = measured.map((c) => c.unrelatedServed).filter((x): x is number => x !== null)
    const worst = served.length ? Math.min(...served) : null
    const spread = measured.filter((c) => verdictOf(c) === 'spread').length
    const forced = measured.filter((c) => c.forcedRestart).length
    return (
      `${d}: ${seen.length ? seen.join(', ') : 'no isolating mechanism observed'}` +
      `; unrelated endpoints served ≥ ${pct(worst)}` +
      (spread ? ` (fault spread in ${spread} of ${measured.length})` : '') +
      (forced
        ? `; the heal went unanswered in ${forced} of ${measured.length}, so the bench killed what held the fault`
        : '') +
      (restarted.length ? `; restarted: ${restarted.join(', ')}` : '')
    )
  }).filter(Boolean)
  return `**${cls}**: ${parts.join('. ')}.`
}

const ms = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : f.ms(x))

// detailTable lists every cell: served share per endpoint, p99s, recovery, breaker, restarts,
// messages, mechanisms and the commands that reproduce it
export function detailTable(fc: FaultClassesResult): Table {
  return {
    caption: 'every cell; "needing" are the endpoints that need the faulty module',
    headers: [
      'fault',
      'module',
      'deployment',
      'served during the fault, per endpoint',
      'unrelated served',
      'unrelated p99 ms, steady → fault',
      'needing served',
      'needing p99 ms, steady → fault',
      'recovered after heal',
      'breaker open after',
      'restarted',
      'dead letters',
      'lost / duplicated',
      'mechanisms',
      'flags and notes',
      'reproduce',
    ],
    rows: fc.cells.map((c) => [
      c.cls,
      moduleText(c.module, c),
      c.deployment,
      c.state === 'measured'
        ? c.endpoints
            .map((e) => `${e.name}${e.needsTarget ? '*' : ''} ${pct(e.servedDuringFault)}`)
            .join(', ')
        : `${c.state === 'unavailable' ? 'not available' : 'not applicable'}${c.reason ? `: ${c.reason}` : ''}`,
      c.state === 'measured' ? pct(c.unrelatedServed) : '',
      c.state === 'measured' ? `${ms(c.unrelatedP99SteadyMs)} → ${ms(c.unrelatedP99FaultMs)}` : '',
      c.state === 'measured' ? pct(c.needingServed) : '',
      c.state === 'measured' ? `${ms(c.needingP99SteadyMs)} → ${ms(c.needingP99FaultMs)}` : '',
      c.state === 'measured'
        ? c.recoveryMs === null
          ? `not within ${f.s(c.phases.recoverMs)}`
          : f.s(c.recoveryMs)
        : '',
      c.breakerOpenMs === null ? '' : f.s(c.breakerOpenMs),
      c.restarted.length
        ? `${c.restarted.join(', ')}${c.forcedRestart ? ' (killed by the bench: the heal went unanswered)' : ''}${c.backAfterMs === null ? '' : ` (up ${f.s(c.backAfterMs)} after heal)`}`
        : '',
      c.state !== 'measured' ? '' : c.deadLetters === null ? 'n/a' : f.int(c.deadLetters),
      c.messages ? `${c.messages.lost} / ${c.messages.duplicated} of ${c.messages.confirmed}` : '',
      mechanisms(c).join(', '),
      [c.saturated ? 'saturated: no verdict' : '', f.flags(c.flags), ...c.notes]
        .filter(Boolean)
        .join('; '),
      c.cli.map((x) => `\`${x}\``).join(' then '),
    ]),
    numeric: [4, 6],
  }
}

// faultClassesHeadline is the scenario's one headline sentence
export function faultClassesHeadline(fc: FaultClassesResult): string {
  const per = DEPLOYMENTS.map((d) => {
    const judged = fc.cells.filter(
      (c) => c.deployment === d && (verdictOf(c) === 'isolated' || verdictOf(c) === 'spread'),
    )
    const ok = judged.filter((c) => verdictOf(c) === 'isolated').length
    return `${d} ${ok} of ${judged.length}`
  })
  return (
    `Fault classes: cells where the endpoints that do not need the faulty module stayed ≥ ` +
    `${ISOLATED * 100} % served: ${per.join(', ')}.`
  )
}

// faultClassesSection is scenario 8's part of the report
export function faultClassesSection(r: Results): Section | null {
  const fc = r.scenarios['fault-classes']
  if (!fc) return null
  const c0 = fc.cells.find((c) => c.state === 'measured') ?? fc.cells[0]
  const ph = c0?.phases
  const unavailable = fc.cells.filter((c) => c.state === 'unavailable')
  const poisoned = fc.cells.filter((c) => c.cls === 'poison' && c.state === 'measured')
  return {
    id: 'fault-classes',
    title: '8 Fault classes',
    paragraphs: [
      `Each deployment starts once (restarts on, \`--max-rss ${fc.params.maxRssMiB}\`: ` +
        `${fc.starts.map((s) => `\`${s.command}\``).join(', ')}) and runs its cells in ` +
        `sequence under a paced mixed load (every endpoint of scenario 2 at ` +
        `${f.int(c0?.ratePerEndpoint)} req/s${calibrationText(fc.calibration)}): ` +
        (ph
          ? `${f.s(ph.steadyMs)} steady, ${f.s(ph.faultMs)} with the fault, then heal and ` +
            `${f.s(ph.recoverMs)} to recover; `
          : '') +
        'a cell whose fault killed a process waits (bounded) for it to be back before the next. ' +
        `Classes: ${FAULT_CLASSES.map((x) => `${x.id} (${x.what})`).join('; ')}. Errors use a ` +
        `rate of ${fc.params.errorRate}, so a breaker has every reason to open. Poison arms the ` +
        "consumer of the module's messages (payments' events are consumed by notifications); " +
        'reviews publishes none, so its poison cell is not applicable.',
      'Served counts 2xx/3xx answers among the requests started during the fault; "unrelated" ' +
        'pools the endpoints that do not need the faulty module (from the module manifests), and ' +
        'their p99 counts failures too. "Recovered after heal" is the time from the heal until ' +
        "every endpoint's later requests all succeeded. Mechanisms are read from the data: a " +
        'process boundary when a process restarted and the unrelated endpoints stayed served; a ' +
        'breaker when `/_/status` showed one open towards the target; a timeout when the ' +
        'deployment answered a needing call after ≥ 250 ms but before the heal, with a 5xx or ' +
        'sooner than the fault itself would have let it (a degraded answer); a bulkhead (micro: the ' +
        "faulty service's own process is the compartment) or non-blocking calls (monolith: only " +
        'the calls awaiting the module were held) when nothing restarted, the needing endpoints ' +
        'suffered and the unrelated ones kept their served share and their p99 (within 2× or ' +
        '+20 ms of steady); a dead letter when the queues ' +
        'dead-lettered messages during the cell' +
        (poisoned.length
          ? " (expected for poison: the poisoned message's confirmation is then missing by " +
            'design, and counts as lost)'
          : '') +
        '.',
      ...FAULT_CLASSES.map((x) => classLine(x.id, fc.cells)).filter((x): x is string => !!x),
      ...(unavailable.length
        ? [
            `Not available on this build: ${[...new Set(unavailable.map((c) => `${c.cls} (${c.deployment})`))].join(', ')}: ` +
              'the chaos route refused the fault, so these cells carry no figure.',
          ]
        : []),
      'Reproduce a cell by hand: start the deployment as above, run the load of your choice, ' +
        'then the commands of its row in the last column.',
    ],
    tables: [faultMatrix(fc), detailTable(fc)],
    charts: [],
  }
}
