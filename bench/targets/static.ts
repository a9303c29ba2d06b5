// The ceiling of this machine for an HTTP server: raw Bun.serve answering one static JSON body
// (`PORT=… bun bench/targets/static.ts`); no framework, no I/O
const body = JSON.stringify({ status: 'ok', service: 'bun-static' })
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  fetch: () => new Response(body, { headers: { 'Content-Type': 'application/json' } }),
})
console.log(`bun-static listening on ${server.url}`)
process.on('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
