import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Chart, headlineLines, reportSections, type Table } from './report-model.ts'
import type { Results } from './results.ts'

const CHART_JS = join(import.meta.dir, '..', 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js')

// escapeHtml makes text safe inside HTML
export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

// inline renders the little markdown the report's paragraphs use: `code` and **bold**
export const inline = (s: string) =>
  escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')

// jsonForScript embeds JSON in a <script> element without letting it close the element
export const jsonForScript = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')

// heatColour colours a served share: green from 99 %, through yellow, to red at 0
export function heatColour(share: number): string {
  if (share >= 0.99) return 'hsl(120, 55%, 75%)'
  const hue = Math.round(Math.max(0, Math.min(1, share)) * 60)
  return `hsl(${hue}, 80%, 72%)`
}

function htmlTable(t: Table): string {
  const cell = (tag: string, i: number, v: string, heat?: number | null) =>
    `<${tag}${t.numeric?.includes(i) ? ' class="num"' : ''}${
      heat === null || heat === undefined ? '' : ` style="background:${heatColour(heat)}"`
    }>${inline(v)}</${tag}>`
  return `<table>${t.caption ? `<caption>${inline(t.caption)}</caption>` : ''}
<thead><tr>${t.headers.map((h, i) => cell('th', i, h)).join('')}</tr></thead>
<tbody>${t.rows.map((r, k) => `<tr>${t.headers.map((_, i) => cell('td', i, r[i] ?? '', t.heat?.[k]?.[i])).join('')}</tr>`).join('\n')}</tbody></table>`
}

// RENDER draws every chart of the page with Chart.js (bundled in the page, works offline)
const RENDER = `
const specs = JSON.parse(document.getElementById('chart-data').textContent)
const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f']
const marksPlugin = {
  id: 'marks',
  afterDatasetsDraw(chart, _args, opts) {
    const { ctx, chartArea, scales } = chart
    for (const m of opts.marks || []) {
      const x = scales.x.getPixelForValue(m.index)
      ctx.save()
      ctx.strokeStyle = '#c00'
      ctx.setLineDash([4, 3])
      ctx.beginPath()
      ctx.moveTo(x, chartArea.top)
      ctx.lineTo(x, chartArea.bottom)
      ctx.stroke()
      ctx.fillStyle = '#c00'
      ctx.font = '11px sans-serif'
      ctx.fillText(m.label, x + 3, chartArea.top + 10 + 12 * (m.row || 0))
      ctx.restore()
    }
  },
}
for (const [i, spec] of specs.entries()) {
  const holder = document.getElementById('chart-' + spec.id)
  const canvas = document.createElement('canvas')
  holder.appendChild(canvas)
  const color = (k) => palette[k % palette.length]
  let config
  if (spec.kind === 'bars') {
    config = {
      type: 'bar',
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, k) => ({ label: s.name, data: s.values, backgroundColor: color(k) })),
      },
      options: { plugins: { title: { display: true, text: spec.title } }, scales: { y: { beginAtZero: true, title: { display: true, text: spec.unit } } } },
    }
  } else if (spec.kind === 'combo') {
    const axis = (side, text, extra) => ({ position: side, beginAtZero: true, title: { display: !!text, text }, ...extra })
    config = {
      type: 'bar',
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, k) => ({ type: s.type, label: s.name, data: s.values, yAxisID: s.axis, backgroundColor: color(k), borderColor: color(k), spanGaps: false })),
      },
      options: {
        plugins: { title: { display: true, text: spec.title } },
        scales: {
          y: axis('left', spec.axes.y, {}),
          ...(spec.axes.y1 ? { y1: axis('right', spec.axes.y1, { grid: { drawOnChartArea: false } }) } : {}),
          ...(spec.axes.y2 ? { y2: axis('right', spec.axes.y2, { max: 100, grid: { drawOnChartArea: false } }) } : {}),
        },
      },
    }
  } else if (spec.kind === 'percentiles') {
    const labels = (spec.series[0]?.points || []).map((p) => 'p' + p.p)
    config = {
      type: 'line',
      data: {
        labels,
        datasets: spec.series.map((s, k) => ({ label: s.name, data: s.points.map((p) => p.ms), borderColor: color(k), backgroundColor: color(k), tension: 0.2 })),
      },
      options: { plugins: { title: { display: true, text: spec.title } }, scales: { y: { type: 'logarithmic', title: { display: true, text: 'ms' } }, x: { title: { display: true, text: 'percentile' } } } },
    }
  } else {
    const n = Math.max(0, ...spec.series.map((s) => s.values.length))
    const labels = Array.from({ length: n }, (_, k) => ((k * spec.bucketMs) / 1000).toFixed(spec.bucketMs % 1000 ? 2 : 0))
    config = {
      type: 'line',
      data: {
        labels,
        datasets: spec.series.map((s, k) => ({ label: s.name, data: s.values.map((v) => (v === null ? null : v * 100)), borderColor: color(k), backgroundColor: color(k), borderWidth: Math.max(1.5, 5 - k * 0.7), pointRadius: 0, stepped: true, spanGaps: false })),
      },
      options: {
        plugins: {
          title: { display: true, text: spec.title },
          marks: { marks: spec.marks.map((m, k) => ({ index: m.atMs / spec.bucketMs, label: m.label, row: k % 3 })) },
        },
        scales: { y: { min: 0, max: 100, title: { display: true, text: '% served' } }, x: { title: { display: true, text: 's' } } },
      },
      plugins: [marksPlugin],
    }
  }
  config.options.animation = false
  config.options.responsive = true
  new Chart(canvas, config)
}
`

const STYLE = `
body { font: 14px/1.5 system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222 }
h1 { font-size: 1.6em } h2 { margin-top: 2em; border-bottom: 1px solid #ddd }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px } caption { text-align: left; font-style: italic; padding: 4px 0 }
th, td { border: 1px solid #ddd; padding: 3px 8px; vertical-align: top } th { background: #f5f5f5 } td.num, th.num { text-align: right }
code { background: #f3f3f3; padding: 0 3px } .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 1.5em }
.chart { border: 1px solid #eee; padding: 6px }
`

// writeHtmlReport renders report.html: the report's tables and paragraphs with plots
// (throughput bars, latency percentile curves, availability timelines) drawn by Chart.js,
// which is inlined so the file opens offline
export function writeHtmlReport(r: Results, chartJs = readFileSync(CHART_JS, 'utf8')): string {
  const specs: (Chart & { id: string })[] = []
  const body: string[] = [
    '<h1>twinstack bench: monolith vs microservices</h1>',
    `<p>${escapeHtml(r.startedAt)} · ${Math.round(r.elapsedS)} s · commit <code>${escapeHtml(r.commit.sha.slice(0, 10))}</code>${r.commit.dirty ? ' (dirty)' : ''} · <code>${escapeHtml(r.command)}</code></p>`,
    '<h2>Headline</h2>',
    `<ul>${headlineLines(r)
      .map((l) => `<li>${inline(l)}</li>`)
      .join('')}</ul>`,
  ]
  for (const s of reportSections(r)) {
    body.push(`<h2 id="${escapeHtml(s.id)}">${inline(s.title)}</h2>`)
    for (const p of s.paragraphs) body.push(`<p>${inline(p)}</p>`)
    for (const t of s.tables) body.push(htmlTable(t))
    if (s.charts.length) {
      body.push('<div class="charts">')
      for (const c of s.charts) {
        const id = `${s.id}-${specs.length}`
        specs.push({ ...c, id })
        body.push(`<div class="chart" id="chart-${id}"></div>`)
      }
      body.push('</div>')
    }
  }
  // the library is inlined as is; only a closing script tag inside it could end the element
  const lib = chartJs.replace(/<\/script/gi, '<\\/script')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>twinstack bench ${escapeHtml(r.startedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
<script>${lib}</script>
<script type="application/json" id="chart-data">${jsonForScript(specs)}</script>
<script>${RENDER}</script>
</body>
</html>
`
}
