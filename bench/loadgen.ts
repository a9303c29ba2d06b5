// The load generator, run as its own process (`bun bench/loadgen.ts <job.json> <out.json>`) so
// its CPU is its own and never the servers'. Two engines:
//   closed: autocannon, as many requests as the connections allow (throughput, latency)
//   paced:  fetch at a fixed rate per endpoint, one record per request (availability timelines)
// It writes progress as JSON lines on stderr and its result as JSON to <out.json>.
import { readFileSync, writeFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { LatencyHistogram, type PacedRecord } from './stats.ts'

// RequestTemplate is one request the generator may send
export interface RequestTemplate {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
}

// ClosedJob asks for a closed-loop autocannon run against one URL
export interface ClosedJob {
  engine: 'closed'
  url: string
  connections: number
  durationS: number
  warmupS: number
  requests: RequestTemplate[]
  timeoutS?: number
}

// PacedStream is one endpoint of a paced load
export interface PacedStream {
  name: string
  url: string
  rate: number
  requests: RequestTemplate[]
  // read something from the answers: the order id of a confirmed checkout, or whether a
  // product page came back degraded
  capture?: 'order' | 'degraded'
}

// PacedJob asks for a fixed-rate mixed load
export interface PacedJob {
  engine: 'paced'
  durationS: number
  streams: PacedStream[]
  timeoutMs: number
}

export type LoadJob = ClosedJob | PacedJob

// Latency is a latency distribution in ms
export interface Latency {
  min: number
  mean: number
  max: number
  p2_5: number
  p50: number
  p75: number
  p90: number
  p97_5: number
  p99: number
  p99_9: number
}

// ClosedOutput is what a closed-loop run measured
export interface ClosedOutput {
  engine: 'closed'
  startedAt: number
  finishedAt: number
  generatorCores: number
  // answered requests (any status), their rate, and the failures among attempts
  requests: number
  rps: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  bytesPerSecond: number
  latency: Latency
}

// PacedOutput holds one record per request, per stream
export interface PacedOutput {
  engine: 'paced'
  startedAt: number
  finishedAt: number
  generatorCores: number
  streams: {
    name: string
    records: PacedRecord[]
    // confirmed orders ([order id, template index]) or the count of degraded answers
    orders: [string, number][]
    degraded: number
  }[]
}

export type LoadOutput = ClosedOutput | PacedOutput

const progress = (msg: Record<string, unknown>) => process.stderr.write(`${JSON.stringify(msg)}\n`)

function cpuMeter() {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  return () => {
    const d = process.cpuUsage(cpu0)
    const wall = (performance.now() - t0) / 1000
    return wall > 0 ? (d.user + d.system) / 1e6 / wall : 0
  }
}

function cannon(
  job: ClosedJob,
  durationS: number,
  live: boolean,
  hist?: LatencyHistogram,
): Promise<any> {
  const requests = job.requests.map((t) => ({
    method: t.method,
    path: t.path,
    headers: t.headers ?? {},
    ...(t.body === undefined ? {} : { body: t.body }),
  }))
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: durationS,
        timeout: job.timeoutS ?? 10,
        requests,
        // each connection walks the templates from its own random point (autocannon keeps the
        // encoded requests, so the generator spends nothing per request on building them)
        setupClient: (client: any) => {
          const k = Math.floor(Math.random() * requests.length)
          client.setRequests([...requests.slice(k), ...requests.slice(0, k)])
        },
      },
      (err: Error | null, result: any) => (err ? reject(err) : resolve(result)),
    )
    if (live) instance.on('tick', (c: any) => progress({ type: 'tick', requests: c.counter }))
    // autocannon keeps whole milliseconds; ours keeps 1 % precision for sub-millisecond answers
    if (hist) {
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status < 400) hist.record(ms)
      })
    }
  })
}

async function closed(job: ClosedJob): Promise<ClosedOutput> {
  if (job.warmupS > 0) {
    progress({ type: 'warmup' })
    await cannon(job, job.warmupS, false)
  }
  const startedAt = Date.now()
  progress({ type: 'start', at: startedAt })
  const meter = cpuMeter()
  const hist = new LatencyHistogram()
  const r = await cannon(job, job.durationS, true, hist)
  const generatorCores = meter()
  const finishedAt = Date.now()
  progress({ type: 'end', at: finishedAt })
  const statusCodes: Record<string, number> = {}
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) {
    statusCodes[code] = Number((v as any).count)
  }
  const q = (p: number) => hist.quantile(p) ?? 0
  return {
    engine: 'closed',
    startedAt,
    finishedAt,
    generatorCores,
    requests: r.requests.total,
    rps: r.requests.total / Math.max(0.001, r.duration),
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    bytesPerSecond: r.throughput.average,
    latency: {
      min: hist.count ? hist.min : 0,
      mean: hist.mean() ?? 0,
      max: hist.max,
      p2_5: q(0.025),
      p50: q(0.5),
      p75: q(0.75),
      p90: q(0.9),
      p97_5: q(0.975),
      p99: q(0.99),
      p99_9: q(0.999),
    },
  }
}

async function paced(job: PacedJob): Promise<PacedOutput> {
  const startedAt = Date.now()
  const t0 = performance.now()
  const end = job.durationS * 1000
  progress({ type: 'start', at: startedAt })
  const meter = cpuMeter()
  const inflight = new Set<Promise<void>>()
  const streams = job.streams.map((s) => ({
    spec: s,
    sent: 0,
    busy: 0,
    records: [] as PacedRecord[],
    orders: [] as [string, number][],
    degraded: 0,
  }))
  const fire = (st: (typeof streams)[number], due: number) => {
    const index = st.sent % st.spec.requests.length
    const t = st.spec.requests[index]!
    st.sent++
    // a client that cannot keep up with the rate would bend the timeline: count it as a failure
    if (st.busy >= 256) {
      st.records.push([due, 0, 0])
      return
    }
    st.busy++
    const started = performance.now()
    const p = (async () => {
      let status = 0
      try {
        const res = await fetch(`${st.spec.url}${t.path}`, {
          method: t.method,
          headers: t.headers,
          body: t.body,
          signal: AbortSignal.timeout(job.timeoutMs),
        })
        const text = await res.text()
        status = res.status
        if (st.spec.capture === 'order' && status === 201) {
          const orderId = JSON.parse(text).orderId
          if (orderId) st.orders.push([orderId, index])
        } else if (st.spec.capture === 'degraded' && status === 200) {
          if (!text.includes('"degraded":[]')) st.degraded++
        }
      } catch {
        status = 0
      }
      st.records.push([
        Math.round(due),
        Math.round((performance.now() - started) * 10) / 10,
        status,
      ])
      st.busy--
    })()
    inflight.add(p)
    void p.finally(() => inflight.delete(p))
  }
  let lastTick = 0
  while (performance.now() - t0 < end) {
    const now = performance.now() - t0
    for (const st of streams) {
      // the i-th request of a stream is due at i / rate seconds
      while (st.sent * (1000 / st.spec.rate) <= now && st.sent * (1000 / st.spec.rate) < end) {
        fire(st, st.sent * (1000 / st.spec.rate))
      }
    }
    if (now - lastTick >= 1000) {
      lastTick = now
      progress({
        type: 'tick',
        t: Math.round(now),
        ok: streams.map((s) => s.records.filter((r) => r[2] >= 200 && r[2] < 400).length),
        total: streams.map((s) => s.records.length),
      })
    }
    await Bun.sleep(2)
  }
  await Promise.allSettled([...inflight])
  const generatorCores = meter()
  const finishedAt = Date.now()
  progress({ type: 'end', at: finishedAt })
  return {
    engine: 'paced',
    startedAt,
    finishedAt,
    generatorCores,
    streams: streams.map((s) => ({
      name: s.spec.name,
      records: s.records.sort((a, b) => a[0] - b[0]),
      orders: s.orders,
      degraded: s.degraded,
    })),
  }
}

if (import.meta.main) {
  const [jobPath, outPath] = process.argv.slice(2)
  if (!jobPath || !outPath) {
    console.error('usage: bun bench/loadgen.ts <job.json> <out.json>')
    process.exit(2)
  }
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as LoadJob
  const out = job.engine === 'closed' ? await closed(job) : await paced(job)
  writeFileSync(outPath, JSON.stringify(out))
  process.exit(0)
}
