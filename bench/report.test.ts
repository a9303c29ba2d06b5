import { describe, expect, it } from 'bun:test'
import { sampleResults } from './fixture.ts'
import { escapeHtml, jsonForScript, writeHtmlReport } from './report-html.ts'
import { mdTable, writeMarkdownReport } from './report-md.ts'
import { headline, headlineLines, unaffectedAvailability } from './report-model.ts'
import { deploymentsCovered } from './results.ts'
import { htmlProblems, markdownProblems } from './validate.ts'

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
