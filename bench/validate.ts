// Checks that report files are well formed (what CI asserts after a quick run): every table
// has as many cells per row as headers, the sections are there, the HTML is self-contained and
// its chart data parses
import { SCENARIOS } from './options.ts'

// SECTION_TITLES are the headings a complete report.md has
export const SECTION_TITLES = [
  '## Headline',
  '## 1 Limits',
  '## 2 Endpoints',
  '## 3 Failure isolation',
  '## 4 Deployment',
  '## 5 Scaling',
  '## 6 Footprint',
  '## 7 Crash safety',
  '## 8 Fault classes',
  '## 9 Layouts',
  "## What the figures say about the seed's claims",
  '## Flags',
  '## Method and machine',
] as const

// cells splits a markdown table row into its cells (escaped pipes stay inside a cell)
const cells = (row: string) =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)

// markdownProblems lists what is wrong with a report.md (nothing when it is well formed)
export function markdownProblems(md: string, complete = true): string[] {
  const problems: string[] = []
  if (!md.startsWith('# ')) problems.push('no title')
  if (complete) {
    for (const title of SECTION_TITLES)
      if (!md.includes(`\n${title}\n`)) problems.push(`missing ${title}`)
  }
  const lines = md.split('\n')
  let tables = 0
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || lines[i - 1]?.startsWith('|')) continue
    tables++
    const width = cells(lines[i]!).length
    if (!/^\|(\s*:?-{3,}:?\s*\|)+$/.test(lines[i + 1] ?? '')) {
      problems.push(`table at line ${i + 1} has no separator row`)
    }
    for (let j = i + 1; j < lines.length && lines[j]!.startsWith('|'); j++) {
      if (cells(lines[j]!).length !== width) {
        problems.push(
          `table at line ${i + 1}: row ${j + 1} has ${cells(lines[j]!).length} cells, not ${width}`,
        )
      }
      if (/\bundefined\b|\bNaN\b/.test(lines[j]!))
        problems.push(`line ${j + 1} shows undefined or NaN`)
    }
  }
  if (complete && tables < SCENARIOS.length) problems.push(`only ${tables} tables`)
  return problems
}

// htmlProblems lists what is wrong with a report.html (nothing when it is well formed)
export function htmlProblems(html: string, complete = true): string[] {
  const problems: string[] = []
  if (!html.startsWith('<!doctype html>')) problems.push('no doctype')
  if (!html.trimEnd().endsWith('</html>')) problems.push('not closed')
  if (/<script[^>]+src=/i.test(html) || /<link[^>]+href=["']?https?:/i.test(html)) {
    problems.push('loads something from elsewhere: it must open offline')
  }
  if (!html.includes('Chart.js') && !html.includes('new Chart(')) problems.push('no chart library')
  const data = /<script type="application\/json" id="chart-data">([\s\S]*?)<\/script>/.exec(html)
  if (!data) {
    problems.push('no chart data')
  } else {
    try {
      const specs = JSON.parse(data[1]!) as { kind: string; id: string }[]
      const kinds = new Set(specs.map((s) => s.kind))
      if (complete) {
        for (const k of ['bars', 'percentiles', 'timeline'])
          if (!kinds.has(k)) problems.push(`no ${k} chart`)
      }
      for (const s of specs) {
        if (!html.includes(`id="chart-${s.id}"`))
          problems.push(`chart ${s.id} has no place in the page`)
      }
    } catch (error) {
      problems.push(`chart data does not parse: ${(error as Error).message}`)
    }
  }
  if (/\bundefined\b|\bNaN\b/.test(html.replace(/<script[\s\S]*?<\/script>/g, ''))) {
    problems.push('shows undefined')
  }
  return problems
}
