// The ceiling for a proxy on this stack: raw Bun.serve forwarding every request to UPSTREAM
// with Bun's fetch, adding the service token as the gateway does, and answering with the
// upstream's response as it came (`PORT=… UPSTREAM=http://… SERVICE_TOKEN=… bun
// bench/targets/proxy.ts`; UPSTREAM_SOCKET=<path> reaches it over a unix socket). No framework, no auth, no limits, no breaker: what any Bun gateway
// pays for one forwarded request before it does anything of its own
const upstream = process.env.UPSTREAM
if (!upstream) throw new Error('UPSTREAM must name the server to forward to')
const token = process.env.SERVICE_TOKEN ?? ''
// the upstream's unix socket, when it listens on one (as the gateway reaches our services)
const unix = process.env.UPSTREAM_SOCKET || undefined
const proxy = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  fetch(req) {
    const url = req.url
    const path = url.slice(url.indexOf('/', url.indexOf('//') + 2))
    if (path === '/_/health') return Response.json({ status: 'ok', service: 'bun-proxy' })
    const headers = new Headers(req.headers)
    headers.delete('host')
    headers.delete('connection')
    headers.set('X-Service-Token', token)
    return fetch(`${upstream}${path}`, { method: req.method, headers, body: req.body, unix })
  },
})
console.log(`bun-proxy listening on ${proxy.url}`)
process.on('SIGTERM', () => {
  proxy.stop(true)
  process.exit(0)
})
