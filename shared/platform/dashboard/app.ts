// The live dashboard's browser code: one server-sent-event stream on /_/dashboard/stream (read
// with fetch, so it can carry the admin token; the stream needs one unless --open-ops), a keyed render of
// the snapshot, and buttons for the chaos and control endpoints. Served transpiled, never bundled:
// only type imports, no dependencies.
import type { DashboardSnapshot } from '../http/dashboard.ts'

type Proc = DashboardSnapshot['processes'][number]
type Action =
  | 'kill'
  | 'stop'
  | 'start'
  | 'restart'
  | 'latency'
  | 'errors'
  | 'crash'
  | 'hang'
  | 'poison'
  | 'heal'

const TOKEN_KEY = 'twinstack.dashboard.token'
const EMAIL_KEY = 'twinstack.dashboard.email'
const STALE_MS = 4000
const CONTROL: Action[] = ['kill', 'stop', 'start', 'restart']
const CHAOS: Action[] = ['latency', 'errors', 'crash', 'hang', 'poison', 'heal']

const el = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  )

const fmt = {
  rps: (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)),
  pct: (n: number) => (n === 0 ? '0 %' : n < 0.001 ? '<0.1 %' : `${(n * 100).toFixed(1)} %`),
  ms: (n: number | null) =>
    n === null
      ? '—'
      : n >= 1000
        ? `${(n / 1000).toFixed(2)} s`
        : n >= 10
          ? `${Math.round(n)} ms`
          : `${n.toFixed(1)} ms`,
  mb: (n: number) => (n ? `${(n / 1024 / 1024).toFixed(0)} MB` : '—'),
  age: (ms: number | null) => {
    if (ms === null) return '—'
    if (ms < 1000) return `${Math.round(ms)} ms`
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
    if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min`
    return `${(ms / 3_600_000).toFixed(1)} h`
  },
  ago: (iso: string | null) => {
    if (!iso) return 'never'
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))
    if (s < 60) return `${s} s ago`
    if (s < 3600) return `${Math.floor(s / 60)} min ago`
    return `${Math.floor(s / 3600)} h ago`
  },
  time: (iso: string) => new Date(iso).toLocaleTimeString([], { hour12: false }),
}

// ---- state ----------------------------------------------------------------------------------

let token = sessionStorage.getItem(TOKEN_KEY) ?? ''
let last: DashboardSnapshot | null = null
let lastAt = 0
let reachable = false
let source: AbortController | null = null
// the stream answered 401/403: nothing to show until an admin signs in
let locked = false
let retryMs = 500
let retryTimer: ReturnType<typeof setTimeout> | undefined
const cards = new Map<string, HTMLElement>()

// ---- connection -----------------------------------------------------------------------------

function connect(): void {
  clearTimeout(retryTimer)
  source?.abort()
  const ctrl = new AbortController()
  source = ctrl
  void readStream(ctrl)
    .catch(() => 'dropped' as const)
    .then((end) => {
      if (source !== ctrl || ctrl.signal.aborted || end === 'locked') return
      unreachable('The event stream dropped')
      retryTimer = setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 3000)
    })
}

// readStream reads server-sent events from the stream until it ends; 'locked' when the stream
// wants an admin token
async function readStream(ctrl: AbortController): Promise<'ended' | 'locked'> {
  const res = await fetch('/_/dashboard/stream', {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    signal: ctrl.signal,
  })
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel()
    if (token && res.status === 401) setAuth('')
    lock(res.status === 403 ? 'This account is not an admin.' : 'Sign in as an admin to watch it.')
    return 'locked'
  }
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`)
  locked = false
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return 'ended'
    buffer += value
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let event = 'message'
      let data = ''
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim()
        else if (line.startsWith('data:')) data += line.slice(5).replace(/^ /, '')
      }
      if (event !== 'snapshot' || !data) continue
      retryMs = 500
      lastAt = Date.now()
      render(JSON.parse(data) as DashboardSnapshot)
    }
  }
}

// lock shows that the figures need an admin sign-in (the page itself holds no data)
function lock(why: string): void {
  locked = true
  reachable = false
  el('banner').hidden = false
  el('banner-title').textContent = 'Operations need an admin.'
  el('banner-detail').textContent = why
  el('banner-hint').textContent = ''
  setConnection('down', 'sign in')
}

// a stream that stays open but goes quiet is as good as gone
setInterval(() => {
  if (!locked && reachable && Date.now() - lastAt > STALE_MS) {
    unreachable(`No snapshot for ${STALE_MS / 1000} s`)
    connect()
  }
  if (last) el('clock').textContent = `updated ${fmt.ago(last.at)}`
}, 1000)

function setConnection(state: 'live' | 'connecting' | 'down', text: string): void {
  const pill = el('connection')
  pill.dataset.state = state
  pill.textContent = text
}

function unreachable(why: string): void {
  const first = reachable || !last
  if (reachable)
    document.body.dataset.outages = String(Number(document.body.dataset.outages ?? 0) + 1)
  reachable = false
  document.body.classList.add('unreachable')
  el('banner').hidden = false
  el('banner-title').textContent = 'Deployment unreachable.'
  el('banner-detail').textContent = `${why}; every ${noun(last)} is shown down.`
  el('banner-hint').textContent = 'Reconnecting…'
  setConnection('down', 'unreachable')
  for (const card of cards.values()) {
    card.dataset.state = 'down'
    field(card, 'state').textContent = 'down'
  }
  const up = document.querySelector<HTMLElement>('[data-tile="up"]')
  if (up && last) {
    up.dataset.tone = 'bad'
    up.querySelector('.value')!.innerHTML = `0<small>/${last.targets.length}</small>`
  }
  document.querySelectorAll<HTMLElement>('.proc').forEach((p) => {
    p.dataset.state = 'down'
  })
  if (first && last) feedNote(`stream lost: ${why.toLowerCase()}`)
}

const noun = (s: DashboardSnapshot | null) => (s?.deployment === 'monolith' ? 'module' : 'service')

// ---- render ---------------------------------------------------------------------------------

function render(s: DashboardSnapshot): void {
  const recovered = !reachable && last !== null
  last = s
  reachable = true
  document.body.classList.remove('unreachable')
  document.body.dataset.deployment = s.deployment
  el('banner').hidden = true
  setConnection('live', 'live')
  el('deployment').textContent = s.deployment === 'monolith' ? 'monolith' : 'microservices'
  el('deployment').dataset.kind = s.deployment
  el('clock').textContent = `updated ${fmt.ago(s.at)}`
  el('topology-title').textContent = s.deployment === 'monolith' ? 'Modules' : 'Services'
  if (recovered) feedNote('stream back')
  renderSummary(s)
  renderProcesses(s)
  renderCards(s)
  renderChaos(s)
  renderBreakers(s)
  renderQueues(s)
  renderEvents(s)
}

function renderSummary(s: DashboardSnapshot): void {
  const up = s.targets.filter((t) => t.state === 'up').length
  const open = s.breakers.filter((b) => b.state !== 'closed').length
  const pending = s.queues.reduce((n, q) => n + q.pending, 0)
  const dead = s.queues.reduce((n, q) => n + q.deadLettered, 0)
  const count = s.targets.reduce((n, t) => n + t.count, 0)
  const errors = s.targets.reduce((n, t) => n + t.errorRate * t.count, 0)
  const rps = s.targets.reduce((n, t) => n + t.rps, 0)
  const p99 = s.targets.reduce<number | null>(
    (m, t) => (t.p99 === null ? m : Math.max(m ?? 0, t.p99)),
    null,
  )
  const tile = (label: string, value: string, tone: string, id: string) =>
    `<div class="tile" data-tone="${tone}" data-tile="${id}"><span class="label">${label}</span><span class="value">${value}</span></div>`
  el('summary').innerHTML = [
    tile(
      `${noun(s)}s up`,
      `${up}<small>/${s.targets.length}</small>`,
      up === s.targets.length ? 'good' : 'bad',
      'up',
    ),
    tile('breakers open', String(open), open ? 'bad' : 'good', 'breakers'),
    tile('pending messages', String(pending), pending > 20 ? 'warn' : 'neutral', 'pending'),
    tile('dead letters', String(dead), dead ? 'bad' : 'neutral', 'dead'),
    tile('requests/s', fmt.rps(rps), 'neutral', 'rps'),
    tile(
      'error rate',
      fmt.pct(count ? errors / count : 0),
      errors / (count || 1) > 0.05 ? 'bad' : 'neutral',
      'errors',
    ),
    tile('worst p99', fmt.ms(p99), 'neutral', 'p99'),
  ].join('')
}

function renderProcesses(s: DashboardSnapshot): void {
  const procs = s.processes
  const rss = procs.reduce((n, p) => n + p.rssBytes, 0)
  const up = procs.filter((p) => p.state === 'up').length
  const chip = (p: Proc) =>
    `<span class="proc" data-state="${esc(p.state)}" title="${esc(p.url)}"><i></i>${esc(p.name)}${p.replica ? `#${p.replica}` : ''} <span class="muted">pid ${p.pid ?? '—'}</span></span>`
  const head =
    s.deployment === 'monolith'
      ? `<strong>one process</strong> <span class="muted">· every module in-process · restarts ${procs[0]?.restarts ?? 0} · RSS ${fmt.mb(rss)}</span>`
      : `<strong>${up}/${procs.length} processes up</strong> <span class="muted">· gateway + replicas · RSS ${fmt.mb(rss)}</span>`
  el('processes').innerHTML =
    `<div class="proc-head">${head}</div><div class="proc-list">${procs.map(chip).join('')}</div>`
}

function renderCards(s: DashboardSnapshot): void {
  const box = el('cards')
  const names = new Set(s.targets.map((t) => t.target))
  for (const [name, card] of cards) {
    if (!names.has(name)) {
      card.remove()
      cards.delete(name)
    }
  }
  const faults = s.faults.faults
  for (const t of s.targets) {
    let card = cards.get(t.target)
    if (!card) {
      card = buildCard(t.target)
      cards.set(t.target, card)
      box.append(card)
    }
    const procs = s.processes.filter((p) => p.name === t.target)
    card.dataset.state = t.state
    field(card, 'state').textContent = t.state
    field(card, 'rps').textContent = fmt.rps(t.rps)
    field(card, 'err').textContent = fmt.pct(t.errorRate)
    field(card, 'err').classList.toggle('hot', t.errorRate > 0.05)
    field(card, 'p50').textContent = fmt.ms(t.p50)
    field(card, 'p99').textContent = fmt.ms(t.p99)
    if (s.deployment === 'micro') {
      const upCount = procs.filter((p) => p.state === 'up').length
      field(card, 'replicas').innerHTML = procs
        .map(
          (p) =>
            `<i class="rep" data-state="${esc(p.state)}" title="replica ${p.replica}: ${esc(p.state)}"></i>`,
        )
        .join('')
        .concat(`<span>${upCount}/${procs.length} up</span>`)
      field(card, 'pids').textContent = `pid ${procs.map((p) => p.pid ?? '—').join(' · ')}`
      field(card, 'restarts').textContent = String(procs.reduce((n, p) => n + p.restarts, 0))
      field(card, 'rss').textContent = fmt.mb(procs.reduce((n, p) => n + p.rssBytes, 0))
    } else {
      const mono = s.processes[0]
      field(card, 'replicas').innerHTML = '<span>in-process</span>'
      field(card, 'pids').textContent = `pid ${mono?.pid ?? '—'}`
      field(card, 'restarts').textContent = String(mono?.restarts ?? 0)
      field(card, 'rss').textContent = 'shared'
    }
    field(card, 'spark').innerHTML = sparkline(t.series)
    const f = faults[t.target]
    const chips = f ? faultChips(f).map(([tone, text]) => chip(tone, text)) : []
    for (const p of s.faults.partitions) {
      const [from, to] = p.split('->')
      if (from === t.target) chips.push(`<span class="chip warn">✂ → ${esc(to)}</span>`)
      if (to === t.target) chips.push(`<span class="chip warn">✂ ← ${esc(from)}</span>`)
    }
    const html = chips.join('')
    const chipBox = field(card, 'faults')
    if (chipBox.innerHTML !== html) chipBox.innerHTML = html
  }
}

type Fault = DashboardSnapshot['faults']['faults'][string]

// faultChips names each class of fault armed on a target, with its tone
function faultChips(f: Fault): ['bad' | 'warn', string][] {
  const chips: ['bad' | 'warn', string][] = []
  if (f.crash) chips.push(['bad', 'crash armed'])
  if (f.hang) chips.push(['bad', 'hung'])
  if (f.cpuMs) chips.push(['warn', `cpu ${f.cpuMs} ms/call`])
  if (f.leakMiBPerSec) chips.push(['bad', `leak ${f.leakMiBPerSec} MiB/s`])
  if (f.poison) chips.push(['warn', f.poisonedEvent ? 'poison: 1 message stuck' : 'poison armed'])
  if (f.latencyMs || f.jitterMs) chips.push(['warn', `+${f.latencyMs} ms ±${f.jitterMs}`])
  if (f.errorRate) chips.push(['warn', `${Math.round(f.errorRate * 100)} % errors`])
  return chips
}

const chip = (tone: string, text: string) => `<span class="chip ${tone}">${esc(text)}</span>`

const field = (card: HTMLElement, name: string) =>
  card.querySelector<HTMLElement>(`[data-f="${name}"]`)!

function buildCard(name: string): HTMLElement {
  const card = document.createElement('article')
  card.className = 'card'
  card.dataset.target = name
  const button = (a: Action) =>
    `<button type="button" class="act ${tone(a)}" data-action="${a}" data-target="${esc(name)}" data-needs-auth ${token ? '' : 'disabled'}${CONTROL.includes(a) ? ' data-micro' : ''} title="${hint(a)}">${a}</button>`
  card.innerHTML = `
    <header>
      <i class="dot"></i>
      <h3>${esc(name)}</h3>
      <span class="state" data-f="state"></span>
    </header>
    <div class="meta"><span class="replicas" data-f="replicas"></span><span class="pids" data-f="pids"></span></div>
    <dl class="stats">
      <div><dt>req/s</dt><dd data-f="rps"></dd></div>
      <div><dt>errors</dt><dd data-f="err"></dd></div>
      <div><dt>p50</dt><dd data-f="p50"></dd></div>
      <div><dt>p99</dt><dd data-f="p99"></dd></div>
      <div><dt>restarts</dt><dd data-f="restarts"></dd></div>
      <div><dt>RSS</dt><dd data-f="rss"></dd></div>
    </dl>
    <svg class="spark" data-f="spark" viewBox="0 0 118 28" preserveAspectRatio="none" aria-hidden="true"></svg>
    <div class="chips" data-f="faults"></div>
    <div class="actions">
      <div class="group micro-only">${CONTROL.map(button).join('')}</div>
      <div class="group">${CHAOS.map(button).join('')}</div>
    </div>`
  return card
}

const tone = (a: Action) =>
  a === 'kill' || a === 'crash' || a === 'hang'
    ? 'bad'
    : a === 'start' || a === 'heal'
      ? 'good'
      : a === 'stop' || a === 'restart'
        ? 'neutral'
        : 'warn'

const hint = (a: Action) =>
  ({
    kill: 'SIGKILL every replica',
    stop: 'stop gracefully',
    start: 'start the stopped or killed replicas',
    restart: 'rolling restart',
    latency: 'add the latency set in the chaos panel',
    errors: 'fail the share of calls set in the chaos panel',
    crash: 'the next call into it ends the process',
    hang: 'calls into it wait unanswered until healed',
    poison: 'the next message it consumes fails on every delivery',
    heal: 'remove its faults and partitions',
  })[a]

// sparkline draws requests per second (and, in red, failures) for the last minute as bars
function sparkline(series: { count: number; errors: number }[]): string {
  const n = 59
  const pad = Array.from({ length: Math.max(0, n - series.length) }, () => ({
    count: 0,
    errors: 0,
  }))
  const data = [...pad, ...series].slice(-n)
  const max = Math.max(1, ...data.map((d) => d.count))
  const h = 26
  const w = 2
  let out = `<line x1="0" y1="27.5" x2="118" y2="27.5" class="base"/>`
  data.forEach((d, i) => {
    if (!d.count) return
    const bh = Math.max(1, (d.count / max) * h)
    out += `<rect x="${i * w}" y="${27 - bh}" width="${w - 0.4}" height="${bh}" class="ok"/>`
    if (d.errors) {
      const eh = Math.max(1, (d.errors / max) * h)
      out += `<rect x="${i * w}" y="${27 - eh}" width="${w - 0.4}" height="${eh}" class="err"/>`
    }
  })
  return out
}

function renderChaos(s: DashboardSnapshot): void {
  const names = s.targets.map((t) => t.target)
  for (const id of ['partition-from', 'partition-to']) {
    const select = el<HTMLSelectElement>(id)
    if (select.options.length !== names.length) {
      const keep = select.value
      select.innerHTML = names.map((n) => `<option>${esc(n)}</option>`).join('')
      if (names.includes(keep)) select.value = keep
      else if (id === 'partition-from')
        select.value = names.includes('orders') ? 'orders' : names[0]!
      else select.value = names.includes('payments') ? 'payments' : (names[1] ?? '')
    }
  }
  const parts: string[] = []
  for (const [target, f] of Object.entries(s.faults.faults)) {
    for (const [tone, text] of faultChips(f)) parts.push(chip(tone, `${target}: ${text}`))
  }
  for (const p of s.faults.partitions)
    parts.push(`<span class="chip warn">✂ ${esc(p.replace('->', ' → '))}</span>`)
  const html = parts.length ? parts.join('') : '<span class="muted small">no faults in force</span>'
  if (el('faults').innerHTML !== html) el('faults').innerHTML = html
}

function renderBreakers(s: DashboardSnapshot): void {
  const open = s.breakers.filter((b) => b.state !== 'closed').length
  el('breaker-count').textContent = `${s.breakers.length} links · ${open} open`
  // open ones first, then by link
  const rank = (st: string) =>
    st === 'open' ? 0 : st === 'half-open' ? 1 : st === 'isolated' ? 2 : 3
  const rows = [...s.breakers].sort(
    (a, b) => rank(a.state) - rank(b.state) || `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`),
  )
  el('breakers').innerHTML = rows.length
    ? rows
        .map(
          (b) =>
            `<tr data-breaker="${esc(b.from)}->${esc(b.to)}" data-state="${esc(b.state)}"${b.changedAt ? '' : ' class="idle"'}><td>${esc(b.from)} <span class="muted">→</span> ${esc(b.to)}</td><td><span class="badge" data-state="${esc(b.state)}">${esc(b.state)}</span></td><td class="num">${b.failures}</td><td class="muted" title="${esc(b.changedAt ?? '')}">${fmt.ago(b.changedAt)}</td></tr>`,
        )
        .join('')
    : `<tr><td colspan="4" class="muted empty">${s.deployment === 'monolith' ? 'in-process calls: no network, no breakers' : 'no calls made yet'}</td></tr>`
}

function renderQueues(s: DashboardSnapshot): void {
  el('queues').innerHTML = s.queues.length
    ? s.queues
        .map(
          (q) =>
            `<tr data-topic="${esc(q.topic)}"><td>${esc(q.topic)}</td><td class="num ${q.pending ? 'hot-warn' : ''}">${q.pending}</td><td class="num ${q.deadLettered ? 'hot' : ''}">${q.deadLettered}</td><td class="num">${fmt.age(q.oldestPendingMs)}</td></tr>`,
        )
        .join('')
    : '<tr><td colspan="4" class="muted empty">no topics yet</td></tr>'
}

const notes: { at: string; kind: string; source: string; detail: string }[] = []

function feedNote(detail: string): void {
  notes.push({ at: new Date().toISOString(), kind: 'dashboard', source: 'browser', detail })
  if (notes.length > 10) notes.shift()
  if (last) renderEvents(last)
}

const eventTone = (e: { kind: string; detail: string }) => {
  const k = e.kind === 'dashboard' ? e.detail : e.kind
  if (/breaker (open|isolated)|kill|exit|crash|dead|lost|down/.test(k)) return 'bad'
  if (/half-open|restart|stop|latency|errors|partition/.test(k)) return 'warn'
  if (/closed|healthy|started|heal|back/.test(k)) return 'good'
  return 'neutral'
}

function renderEvents(s: DashboardSnapshot): void {
  const all = [...s.events, ...notes].sort((a, b) => b.at.localeCompare(a.at)).slice(0, 60)
  el('events').innerHTML = all.length
    ? all
        .map(
          (e) =>
            `<li data-tone="${eventTone(e)}"><time>${fmt.time(e.at)}</time><span class="kind">${esc(e.kind)}</span><span class="src">${esc(e.source)}</span><span class="detail muted">${esc(e.detail)}</span></li>`,
        )
        .join('')
    : '<li class="muted empty">nothing happened yet — try a button</li>'
}

// ---- auth and actions -----------------------------------------------------------------------

function setAuth(next: string, email = ''): void {
  token = next
  if (next) {
    sessionStorage.setItem(TOKEN_KEY, next)
    if (email) sessionStorage.setItem(EMAIL_KEY, email)
  } else {
    sessionStorage.removeItem(TOKEN_KEY)
  }
  const signedIn = Boolean(next)
  document.body.classList.toggle('signed-in', signedIn)
  for (const id of ['email', 'password', 'sign-in']) el(id).hidden = signedIn
  el('sign-out').hidden = !signedIn
  el('whoami').hidden = !signedIn
  el('whoami').textContent = signedIn
    ? `signed in as ${sessionStorage.getItem(EMAIL_KEY) ?? 'admin'}`
    : ''
  el('chaos-hint').textContent = signedIn
    ? 'applies to the buttons on every card'
    : 'sign in to enable'
  document.querySelectorAll<HTMLButtonElement>('[data-needs-auth]').forEach((b) => {
    b.disabled = !signedIn
  })
}

el('login').addEventListener('submit', async (e) => {
  e.preventDefault()
  const email = el<HTMLInputElement>('email').value
  const password = el<HTMLInputElement>('password').value
  try {
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    const body = (await res.json().catch(() => ({}))) as { token?: string; detail?: string }
    if (!res.ok || !body.token) return toast(`sign-in failed: ${body.detail ?? res.status}`, 'bad')
    setAuth(body.token, email)
    toast(`signed in as ${email}`, 'good')
    connect()
  } catch {
    toast('sign-in failed: deployment unreachable', 'bad')
  }
})

el('sign-out').addEventListener('click', () => setAuth(''))

async function post(path: string, body?: unknown): Promise<boolean> {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (res.status === 401) {
      setAuth('')
      toast('session expired, sign in again', 'bad')
      return false
    }
    if (!res.ok) {
      const p = (await res.json().catch(() => ({}))) as { detail?: string; title?: string }
      toast(`${path}: ${p.detail ?? p.title ?? res.status}`, 'bad')
      return false
    }
    return true
  } catch {
    toast(`${path}: deployment unreachable`, 'bad')
    return false
  }
}

const num = (id: string) => Number(el<HTMLInputElement>(id).value) || 0

async function act(action: Action, target: string): Promise<boolean> {
  switch (action) {
    case 'kill':
    case 'stop':
    case 'start':
    case 'restart':
      return post(`/_/control/${action}/${encodeURIComponent(target)}`)
    case 'latency':
      return post('/_/chaos/latency', {
        target,
        ms: Math.round(num('latency-ms')),
        jitter: Math.round(num('latency-jitter')),
      })
    case 'errors':
      return post('/_/chaos/errors', {
        target,
        rate: Math.min(1, Math.max(0, num('error-rate') / 100)),
      })
    case 'crash':
    case 'hang':
    case 'poison':
    case 'heal':
      return post(`/_/chaos/${action}`, { target })
  }
}

const verbs: Record<Action, string> = {
  kill: 'killed',
  stop: 'stopped',
  start: 'started',
  restart: 'restarted',
  latency: 'slowed',
  errors: 'made to fail',
  crash: 'armed to crash',
  hang: 'hung',
  poison: 'armed with a poison message',
  heal: 'healed',
}

el('cards').addEventListener('click', async (e) => {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]')
  if (!button || button.disabled) return
  const action = button.dataset.action as Action
  const target = button.dataset.target!
  button.classList.add('busy')
  button.disabled = true
  const ok = await act(action, target)
  button.classList.remove('busy')
  button.disabled = !token
  if (ok) toast(`${target} ${verbs[action]}`, tone(action))
})

el('partition').addEventListener('click', async () => {
  const from = el<HTMLSelectElement>('partition-from').value
  const to = el<HTMLSelectElement>('partition-to').value
  if (from === to) return toast('pick two different targets', 'bad')
  if (await post('/_/chaos/partition', { from, to })) toast(`partitioned ${from} → ${to}`, 'warn')
})

el('heal-all').addEventListener('click', async () => {
  if (await post('/_/chaos/heal', { target: 'all' })) toast('every fault healed', 'good')
})

function toast(text: string, t: string): void {
  const box = el('toasts')
  const item = document.createElement('div')
  item.className = 'toast'
  item.dataset.tone = t
  item.textContent = text
  box.prepend(item)
  setTimeout(() => item.classList.add('gone'), 3500)
  setTimeout(() => item.remove(), 4000)
}

setAuth(token)
connect()
