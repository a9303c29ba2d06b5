import { describe, expect, it } from 'bun:test'
import {
  cellFigures,
  chaosTarget,
  FAULT_CLASSES,
  mechanisms,
  needingEndpoints,
  verdictOf,
} from './fault-classes.ts'
import { faultCell, sampleFaultClasses, sampleResults } from './fixture.ts'
import {
  classLine,
  detailTable,
  faultClassesHeadline,
  faultMatrix,
  matrixText,
} from './report-fault-classes.ts'
import { writeHtmlReport } from './report-html.ts'
import { writeMarkdownReport } from './report-md.ts'
import { planCells } from './scenarios/fault-classes.ts'
import type { PacedRecord } from './stats.ts'
import { htmlProblems, markdownProblems } from './validate.ts'

// records at a steady 10 ms, one every 100 ms over [from, to), answered with status
const every100 = (from: number, to: number, status: number, ms = 10): PacedRecord[] =>
  Array.from({ length: (to - from) / 100 }, (_, i): PacedRecord => [from + i * 100, ms, status])

describe('cellFigures', () => {
  const w = { faultAtMs: 1000, healAtMs: 3000, endMs: 5000 }
  it('pools the endpoints that do not need the target, and those that do', () => {
    const streams = [
      // checkout needs payments: down during the fault, back 500 ms after the heal
      {
        name: 'checkout',
        records: [
          ...every100(0, 1000, 200),
          ...every100(1000, 3500, 503),
          ...every100(3500, 5000, 200),
        ],
      },
      // the product page does not: one failure in 20 during the fault
      {
        name: 'product page',
        records: [
          ...every100(0, 1000, 200),
          [1000, 2500, 503] as PacedRecord,
          ...every100(1100, 5000, 200),
        ],
      },
      { name: 'product search', records: every100(0, 5000, 200) },
    ]
    const x = cellFigures(streams, 'payments', w)
    // 39 of 40 unrelated requests in [1000, 3000) were served
    expect(x.unrelatedServed).toBeCloseTo(39 / 40, 6)
    expect(x.needingServed).toBe(0)
    expect(x.unrelatedP99SteadyMs).toBe(10)
    // the failed request's 2.5 s counts in the p99 (interpolated between the two slowest)
    expect(x.unrelatedP99FaultMs).toBeGreaterThan(1000)
    expect(x.endpoints.find((e) => e.name === 'checkout')).toMatchObject({
      needsTarget: true,
      servedSteady: 1,
      servedDuringFault: 0,
      recoveryMs: 500,
    })
    // the slowest endpoint to settle after the heal sets the cell's recovery
    expect(x.recoveryMs).toBe(500)
    // fast 503s are no deadline
    expect(x.deadlineAnswers).toBe(0)
  })

  it('leaves the recovery open when an endpoint never settled', () => {
    const streams = [{ name: 'checkout', records: every100(0, 5000, 503) }]
    expect(cellFigures(streams, 'payments', w).recoveryMs).toBeNull()
  })

  it('counts answers a deadline cut short, not calls the heal released', () => {
    const streams = [
      {
        name: 'checkout',
        records: [
          [1000, 1000, 504], // a 5xx after a second: a deadline
          [1100, 800, 200], // a degraded answer sooner than the 1500 ms the fault injects
          [1200, 1600, 200], // waited the whole injected latency: no timeout
          [1300, 1900, 200], // ended after the heal: the heal released it
          [1400, 3000, 0], // the load generator gave up
        ] as PacedRecord[],
      },
    ]
    const x = cellFigures(streams, 'payments', { ...w, healAtMs: 3100 }, 1500)
    expect(x.deadlineAnswers).toBe(2)
    expect(x.noAnswer).toBe(1)
  })
})

describe('mechanisms', () => {
  it('reads a process boundary from a restart the unrelated endpoints did not feel', () => {
    expect(
      mechanisms(faultCell('crash', 'payments', 'micro', { restarted: ['payments'] })),
    ).toEqual(['process boundary'])
    // the monolith restarted as a whole: no boundary held
    expect(
      mechanisms(
        faultCell('crash', 'payments', 'monolith', {
          restarted: ['monolith'],
          unrelatedServed: 0.5,
        }),
      ),
    ).toEqual([])
  })
  it('reads breaker, timeout and dead letters from their figures', () => {
    const c = faultCell('latency', 'payments', 'micro', {
      breakerOpenMs: 200,
      deadlineAnswers: 3,
      deadLetters: 2,
    })
    expect(mechanisms(c)).toEqual(['breaker', 'timeout', 'dead letter'])
  })
  it('calls a contained slowdown a bulkhead on micro and non-blocking calls in the monolith', () => {
    const slow = { needingP99SteadyMs: 10, needingP99FaultMs: 1500 }
    expect(mechanisms(faultCell('latency', 'payments', 'micro', slow))).toEqual(['bulkhead'])
    expect(mechanisms(faultCell('latency', 'payments', 'monolith', slow))).toEqual([
      'non-blocking calls',
    ])
    // the unrelated endpoints slowed down with it: nothing contained it
    expect(
      mechanisms(faultCell('cpu', 'payments', 'monolith', { ...slow, unrelatedP99FaultMs: 400 })),
    ).toEqual([])
    // a fault nobody felt shows no mechanism
    expect(mechanisms(faultCell('latency', 'payments', 'micro'))).toEqual([])
  })
  it('does not count the bench killing a process that could not take the heal', () => {
    const c = faultCell('cpu', 'payments', 'micro', {
      restarted: ['payments'],
      forcedRestart: true,
    })
    expect(mechanisms(c)).toEqual([])
    expect(classLine('cpu', [c])).toContain(
      'the heal went unanswered in 1 of 1, so the bench killed what held the fault',
    )
    expect(detailTable({ ...sampleFaultClasses(), cells: [c] }).rows[0]).toContain(
      'payments (killed by the bench: the heal went unanswered)',
    )
  })
  it('shows none for a cell that was not measured', () => {
    expect(mechanisms(faultCell('hang', 'payments', 'micro', { state: 'unavailable' }))).toEqual([])
  })
})

describe('verdictOf', () => {
  it('judges isolation at 99 %, and not at all when saturated or unmeasured', () => {
    expect(verdictOf(faultCell('crash', 'payments', 'micro'))).toBe('isolated')
    expect(verdictOf(faultCell('crash', 'payments', 'micro', { unrelatedServed: 0.98 }))).toBe(
      'spread',
    )
    expect(verdictOf(faultCell('crash', 'payments', 'micro', { saturated: true }))).toBe(
      'saturated',
    )
    expect(verdictOf(faultCell('crash', 'payments', 'micro', { state: 'unavailable' }))).toBe('n/a')
  })
})

describe('the matrix', () => {
  const fc = sampleFaultClasses()
  const m = faultMatrix(fc)
  it('has a row per class × module that ran and a column per deployment', () => {
    expect(m.headers).toEqual(['fault', 'module', 'monolith', 'micro'])
    expect(m.rows).toEqual([
      ['crash', 'payments', '❌ 40.0 %', '✅ 100 %'],
      ['hang', 'payments', '✅ 100 %', 'not available'],
      ['cpu', 'reviews', '❌ 90.0 %', '97.0 % (saturated: no verdict)'],
      ['poison', 'payments (via notifications)', 'not run', '✅ 100 %'],
      ['poison', 'reviews', 'not run', 'not applicable'],
    ])
  })
  it('colours only the cells with a verdict', () => {
    expect(m.heat).toEqual([
      [null, null, 0.4, 1],
      [null, null, 1, null],
      [null, null, 0.9, null],
      [null, null, null, 1],
      [null, null, null, null],
    ])
    expect(matrixText(undefined)).toBe('not run')
  })
  it('names per class what the data showed, per deployment', () => {
    expect(classLine('crash', fc.cells)).toBe(
      '**crash**: monolith: no isolating mechanism observed; unrelated endpoints served ≥ 40.0 % ' +
        '(fault spread in 1 of 1); restarted: monolith. micro: process boundary (1 of 1), ' +
        'breaker (1 of 1); unrelated endpoints served ≥ 100 %; restarted: payments.',
    )
    expect(classLine('hang', fc.cells)).toContain(
      'micro: not available (POST /_/chaos/hang answered 404)',
    )
    expect(classLine('poison', fc.cells)).toContain('micro: dead letter (1 of 1)')
    expect(classLine('leak', fc.cells)).toBeNull()
  })
  it('lists every cell with the commands that reproduce it', () => {
    const t = detailTable(fc)
    expect(t.rows).toHaveLength(fc.cells.length)
    for (const r of t.rows) expect(r).toHaveLength(t.headers.length)
    const crash = t.rows[1]!
    expect(crash.slice(0, 3)).toEqual(['crash', 'payments', 'micro'])
    expect(crash.at(-1)).toBe(
      '`npm run chaos -- crash payments` then `npm run chaos -- heal payments`',
    )
    expect(crash).toContain('payments')
    expect(faultClassesHeadline(fc)).toBe(
      'Fault classes: cells where the endpoints that do not need the faulty module stayed ≥ 99 % ' +
        'served: monolith 1 of 3, micro 2 of 2.',
    )
  })
})

describe('the fault-classes section', () => {
  const md = writeMarkdownReport(sampleResults())
  const part = md.slice(md.indexOf('## 8 Fault classes'), md.indexOf('\n## What'))
  it('renders matrix, mechanism lines and detail in report.md', () => {
    expect(markdownProblems(md)).toEqual([])
    expect(part).toContain('| fault | module | monolith | micro |')
    expect(part).toContain('| crash | payments | ❌ 40.0 % | ✅ 100 % |')
    expect(part).toContain('**poison**: micro: dead letter (1 of 1)')
    expect(part).toContain('`npm run chaos -- poison notifications`')
    expect(part).toContain('Not available on this build: hang (micro)')
  })
  it('is a heat map in report.html', () => {
    const html = writeHtmlReport(sampleResults(), '/* lib */')
    expect(htmlProblems(html)).toEqual([])
    expect(html).toContain('<h2 id="fault-classes">8 Fault classes</h2>')
    // green at 100 %, red towards 0
    expect(html).toContain('<td style="background:hsl(120, 55%, 75%)">✅ 100 %</td>')
    expect(html).toContain('<td style="background:hsl(24, 80%, 72%)">❌ 40.0 %</td>')
  })
})

describe('planCells', () => {
  it('runs every class on both modules and deployments, or each class once when quick', () => {
    const full = planCells(false)
    expect(full).toHaveLength(FAULT_CLASSES.length * 2 * 2)
    const quick = planCells(true)
    expect(quick.map((c) => c.cls.id)).toEqual(FAULT_CLASSES.map((c) => c.id))
    expect(new Set(quick.map((c) => c.deployment))).toEqual(new Set(['monolith', 'micro']))
    // poison needs a module whose messages something consumes
    expect(quick.find((c) => c.cls.id === 'poison')!.module).toBe('payments')
  })
  it('knows where each class is injected and which endpoints need the target', () => {
    expect(chaosTarget('poison', 'payments')).toBe('notifications')
    expect(chaosTarget('poison', 'reviews')).toBeNull()
    expect(chaosTarget('cpu', 'reviews')).toBe('reviews')
    expect(needingEndpoints('payments')).toEqual(['checkout'])
    expect(needingEndpoints('notifications')).toEqual([])
  })
})
