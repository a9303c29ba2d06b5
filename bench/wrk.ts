import type { ClosedOutput, RequestTemplate } from './loadgen.ts'

// wrkPath is where wrk is installed, or null when it is not
export const wrkPath = (): string | null => Bun.which('wrk')

// luaString writes a Lua string literal holding exactly the given text (bytes as \ddd escapes,
// always three digits: a shorter one would swallow a digit that follows it)
export function luaString(text: string): string {
  let out = '"'
  for (const byte of new TextEncoder().encode(text)) {
    const printable = byte >= 32 && byte < 127 && byte !== 34 && byte !== 92
    out += printable ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`
  }
  return `${out}"`
}

// wrkScript is a wrk Lua script that walks the templates (each thread from its own point) and
// prints the run's figures as one JSON line starting with WRK_JSON
export function wrkScript(templates: readonly RequestTemplate[]): string {
  const formats = templates.map((t) => {
    const headers = Object.entries(t.headers ?? {})
      .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
      .join(', ')
    const body = t.body === undefined ? 'nil' : luaString(t.body)
    return `    wrk.format(${luaString(t.method)}, ${luaString(t.path)}, { ${headers} }, ${body}),`
  })
  return `local reqs = {}
local i = 0
init = function(args)
  reqs = {
${formats.join('\n')}
  }
  i = math.random(#reqs)
end
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format(',"latencyUs":{"min":%d,"mean":%f,"max":%d', latency.min, latency.mean, latency.max))
  for _, p in ipairs({2.5, 50, 75, 90, 97.5, 99, 99.9}) do
    local name = string.gsub(tostring(p), "%.", "_")
    io.write(string.format(',"p%s":%d', name, latency:percentile(p)))
  end
  io.write('}}\\n')
end
`
}

// parseWrk reads the WRK_JSON line of wrk's output into the figures of a closed-loop run
// (wrk counts non-2xx/3xx answers as status errors and cannot tell the codes apart)
export function parseWrk(
  stdout: string,
  meta: { startedAt: number; finishedAt: number; generatorCores: number },
): ClosedOutput {
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '))
  if (!line) throw new Error(`wrk printed no figures:\n${stdout.slice(-2000)}`)
  const w = JSON.parse(line.slice('WRK_JSON '.length))
  const seconds = Math.max(0.001, w.durationUs / 1e6)
  const ms = (us: number) => us / 1000
  const l = w.latencyUs
  return {
    engine: 'closed',
    ...meta,
    requests: w.requests,
    rps: w.requests / seconds,
    non2xx: w.status,
    errors: w.connect + w.read + w.write + w.timeout,
    timeouts: w.timeout,
    statusCodes: { '2xx/3xx': w.requests - w.status, other: w.status },
    bytesPerSecond: w.bytes / seconds,
    latency: {
      min: ms(l.min),
      mean: ms(l.mean),
      max: ms(l.max),
      p2_5: ms(l.p2_5),
      p50: ms(l.p50),
      p75: ms(l.p75),
      p90: ms(l.p90),
      p97_5: ms(l.p97_5),
      p99: ms(l.p99),
      p99_9: ms(l.p99_9),
    },
  }
}
