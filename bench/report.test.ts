import { describe, expect, it } from 'bun:test'
import { sampleResults, verifyResult } from './fixture.ts'
import { escapeHtml, jsonForScript, writeHtmlReport } from './report-html.ts'
import { mdTable, writeMarkdownReport } from './report-md.ts'
import { affected, headline, headlineLines, unaffectedAvailability } from './report-model.ts'
import { deploymentsCovered } from './results.ts'
import { htmlProblems, markdownProblems } from './validate.ts'

describe('affected', () => {
  it('reads which endpoints a failing service takes down from the module manifests', () => {
    expect(affected('payments')).toEqual(['checkout'])
    expect(affected('reviews')).toEqual(['product page'])
    expect(affected('storefront')).toEqual(['product page', 'product search'])
    // the orders service runs orders and checkout; the sales report answers from its read model
    expect(affected('orders')).toEqual(['checkout', 'order with events'])
    expect(affected('loan-approval')).toEqual(['loan application'])
  })
})

describe('headline', () => {
  const h = headline(sampleResults())
  it('compares the product page within the run (micro ÷ monolith medians)', () => {
    expect(h.productRps).toEqual({ monolith: 3100, micro: 750 })
    expect(h.productThroughputRatio).toBeCloseTo(750 / 3100, 6)
    expect(h.productP99Ratio).toBe(4)
  })
  it('derives the cost of one hop from the unloaded latencies and the CPU per request', () => {
    // product page: (5.5 - 0.5) / 5 hops; checkout: (12 - 4) / 8 hops
    expect(h.latencyPerHopMs).toBe(1)
    expect(h.cpuPerHopUs).not.toBeNull()
  })
  it('reads availability of the endpoints a failing service does not serve', () => {
    expect(h.unaffectedAvailability).toEqual([
      { target: 'payments', monolith: 0, micro: 1, saturated: false },
    ])
    expect(unaffectedAvailability(undefined)).toBeNull()
  })
  it('sums failed requests of a redeploy and compares scaling and memory', () => {
    expect(h.deployFailed).toEqual([
      { target: 'storefront', monolith: 24, micro: 0, monolithRolling: null },
    ])
    expect(h.messagesLost).toBe(0)
    expect(h.scalingSpeedup.monolith).toBeCloseTo(1.2, 6)
    expect(h.scalingSpeedup.micro).toBeCloseTo(1.1, 6)
    expect(h.generatorCoresMax).toBe(0.3)
    expect(h.flagged).toBe(2)
  })
  it('says it in sentences for the README', () => {
    const lines = headlineLines(sampleResults()).join('\n')
    expect(lines).toContain('throughput 0.24×')
    expect(lines).toContain('p99 4.00×')
    expect(lines).toContain('100 % available on micro vs 0 % on the monolith')
  })
})

describe('deploymentsCovered', () => {
  it('finds figures for both deployments in every scenario', () => {
    const covered = deploymentsCovered(sampleResults())
    expect(Object.keys(covered)).toEqual([
      'limits',
      'endpoints',
      'failure',
      'deployment',
      'scaling',
      'footprint',
      'crash-safety',
      'fault-classes',
      'layouts',
    ])
    for (const list of Object.values(covered))
      expect(list).toEqual(expect.arrayContaining(['micro', 'monolith']))
  })
})

describe('writeMarkdownReport', () => {
  const md = writeMarkdownReport(sampleResults())
  it('is well formed: every section, every table square', () => {
    expect(markdownProblems(md)).toEqual([])
  })
  it('has one paragraph per measurable seed claim', () => {
    for (const claim of [
      '**Deployment**',
      '**Scalability**',
      '**Fault tolerance**',
      '**Communication**',
    ]) {
      expect(md).toContain(claim)
    }
  })
  it('lists flagged figures with what the flag means', () => {
    expect(md).toContain('`generator-bound`: the load generator')
    expect(md).toContain('limits · static JSON · bun-static #1')
  })
  it('says what did not run', () => {
    const r = sampleResults()
    delete r.scenarios.scaling
    const partial = writeMarkdownReport(r)
    expect(partial).toContain('Scenario 5 did not run.')
    expect(markdownProblems(partial, false)).toEqual([])
  })
})

describe('mdTable', () => {
  it('escapes pipes and right-aligns numbers', () => {
    const t = mdTable({ headers: ['a', 'n'], rows: [['x|y', '1']], numeric: [1] })
    expect(t).toBe('| a | n |\n| --- | ---: |\n| x\\|y | 1 |')
    expect(markdownProblems(`# t\n\n${t}\n`, false)).toEqual([])
  })
  it('is caught when a row is short', () => {
    expect(markdownProblems('# t\n\n| a | b |\n| --- | --- |\n| 1 |\n', false)).toHaveLength(1)
  })
})

describe('writeHtmlReport', () => {
  const html = writeHtmlReport(sampleResults())
  it('is self-contained, with the chart library inlined and every kind of plot', () => {
    expect(htmlProblems(html)).toEqual([])
    expect(html).toContain('Chart.js v4')
  })
  it('cannot be broken out of by the data it embeds', () => {
    expect(jsonForScript({ s: '</script><b>' })).not.toContain('</script>')
    expect(escapeHtml('<a href="x">&')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;')
    const r = sampleResults()
    r.command = 'npm run bench -- </script><script>alert(1)</script>'
    expect(writeHtmlReport(r, '/* lib */')).not.toContain('<script>alert(1)')
  })
})

describe('crash-safety section', () => {
  // section cuts report.md from one heading to the next
  const section = (md: string) => md.slice(md.indexOf('## 7 Crash safety'), md.indexOf('\n## What'))

  it('has one row per invariant with checked and violations per deployment', () => {
    const md = section(writeMarkdownReport(sampleResults()))
    expect(md).toContain(
      '| invariant | monolith checked | monolith violations | micro checked | micro violations |',
    )
    expect(md).toContain('| acknowledged checkout → one capture | 1,100 | 0 | 1,100 | 0 |')
    expect(md).toContain('| nothing stays reserved once idle | 50 | 0 | 50 | 0 |')
    expect(md).toContain(
      '**micro**: 60 s of load, a kill every 3 s, seed 1: 1,200 checkouts, 1,100 acknowledged, ' +
        '19 kills (27 processes killed), 40 resends; 0 violations: **held**',
    )
  })

  it('says which deployment violated what, and which run could not run', () => {
    const r = sampleResults()
    r.scenarios['crash-safety'] = {
      runs: [
        { deployment: 'monolith', elapsedMs: 1000, result: null, error: 'no port\nstack' },
        { deployment: 'micro', elapsedMs: 1000, result: verifyResult('micro', 2) },
      ],
    }
    const md = writeMarkdownReport(r)
    const part = section(md)
    expect(part).toContain('**monolith**: the checker could not run (no port).')
    expect(part).toContain('2 violations: **violated (2)**')
    expect(part).toContain('| acknowledged checkout → one capture | n/a | n/a | 1,100 | 2 |')
    expect(part).toContain('micro · acknowledged checkout → one capture: o-1: 2 captures')
    expect(md).toContain('micro violated (2) over 1,100 acknowledged checkouts')
    expect(markdownProblems(md)).toEqual([])
  })

  it('is the same table in report.html', () => {
    const html = writeHtmlReport(sampleResults(), '/* lib */')
    expect(html).toContain('<h2 id="crash-safety">7 Crash safety</h2>')
    expect(html).toContain('<th class="num">micro violations</th>')
    expect(html).toContain(
      '<td>acknowledged checkout → one capture</td><td class="num">1,100</td><td class="num">0</td>',
    )
  })
})
