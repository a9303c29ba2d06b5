import { headlineLines, reportSections, type Table } from './report-model.ts'
import type { Results } from './results.ts'

// escapeCell keeps a table cell on one line and its pipes literal
const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

// mdTable renders a table as GitHub-flavoured markdown
export function mdTable(t: Table): string {
  const align = t.headers.map((_, i) => (t.numeric?.includes(i) ? '---:' : '---'))
  const lines = [
    `| ${t.headers.map(escapeCell).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...t.rows.map((r) => `| ${t.headers.map((_, i) => escapeCell(r[i] ?? '')).join(' | ')} |`),
  ]
  return `${t.caption ? `*${t.caption}*\n\n` : ''}${lines.join('\n')}`
}

// writeMarkdownReport renders report.md: headline, one section per scenario, the seed's
// claims, flags and method
export function writeMarkdownReport(r: Results): string {
  const out: string[] = [
    '# twinstack bench: monolith vs microservices',
    '',
    `${r.startedAt.replace('T', ' ').replace(/\..*$/, '')} UTC · ${Math.round(r.elapsedS)} s · ` +
      `commit \`${r.commit.sha.slice(0, 10)}\`${r.commit.dirty ? ' (dirty)' : ''} · \`${r.command}\``,
    '',
    '## Headline',
    '',
    ...headlineLines(r).map((l) => `- ${l}`),
  ]
  for (const s of reportSections(r)) {
    out.push('', `## ${s.title}`, '')
    for (const p of s.paragraphs) out.push(p, '')
    for (const t of s.tables) out.push(mdTable(t), '')
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`
}
