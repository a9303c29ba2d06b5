// `bun bench/report.ts <results dir or results.json>` writes report.md and report.html again
// from the raw figures (after a change to the report, without measuring again)
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { writeHtmlReport } from './report-html.ts'
import { writeMarkdownReport } from './report-md.ts'
import type { Results } from './results.ts'

// rewriteReports renders both reports of a results directory from its results.json
export function rewriteReports(path: string): string {
  const file = statSync(path).isDirectory() ? join(path, 'results.json') : path
  const dir = dirname(file)
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results
  writeFileSync(join(dir, 'report.md'), writeMarkdownReport(results))
  writeFileSync(join(dir, 'report.html'), writeHtmlReport(results))
  return dir
}

if (import.meta.main) {
  const path = process.argv[2]
  if (!path) {
    console.error('usage: bun bench/report.ts <bench/results/<timestamp>>')
    process.exit(2)
  }
  console.log(`rewrote ${join(rewriteReports(path), 'report.md')} and report.html`)
}
