import type { Context } from 'hono'

// The runtime seam: the few things Bun and Node do differently, decided here once. Everything
// else (modules, wiring, the service process) runs unchanged on both. SQLite lives in
// db/sqlite.ts and the HTTP server in http/serve.ts, on the same test.

// isBun tells whether this process runs on Bun (else Node)
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined'

// runtime names the runtime and its version, as /_/health and /_/status report it
export const runtime: string = isBun
  ? `bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : `node ${process.version}`

// allocatorEnv keeps Bun's native allocator (mimalloc) from handing freed pages back to the
// kernel: Bun has it do so whenever a process goes idle, and a process that idles between the
// requests of a chain (a service waiting on its neighbours, every process of the microservices
// on two cores) then pays a page fault for each page it takes back. Measured on the product page
// under 50 connections (wrk, CPU of every process per page): the microservices 2,239 -> 1,128
// and 2,005 -> 1,052 µs, req/s 864 -> 1,665 and 956 -> 1,801; the bare split 569 -> 433 µs; the
// monolith, busy all along, unchanged (104 vs 109 µs). Its price: memory stays with the process
// (the microservices' 16 processes: 939 -> 1,122 MiB idle, 1,030 -> 1,338 MiB after the load). A
// purge delay does not help (1,000 and 5,000 ms measured like the default): Bun's idle collection
// purges regardless. mimalloc reads the option once, when the process starts, so it is set in the
// environment of every process we spawn (services, the monolith under its keeper, the bench's
// servers) and by npm run micro|monolith for the process started by hand; an explicit
// MIMALLOC_PURGE_DELAY in the environment wins
export function allocatorEnv(env: Record<string, string | undefined> = process.env) {
  return env.MIMALLOC_PURGE_DELAY === undefined ? { MIMALLOC_PURGE_DELAY: '-1' } : {}
}

// sleep resolves after ms (Bun.sleep where there is one)
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

// socketAddress is the remote address of the socket a request came on, as the server hands it
// to the app: Bun.serve's server.requestIP, @hono/node-server's IncomingMessage; undefined off a
// socket (app.request in tests)
export function socketAddress(c: Context): string | undefined {
  const env = c.env as Record<string, any> | undefined
  if (!env) return undefined
  const node = env.incoming?.socket?.remoteAddress
  if (typeof node === 'string') return node
  const server = 'server' in env ? env.server : env
  if (typeof server?.requestIP !== 'function') return undefined
  try {
    return server.requestIP(c.req.raw)?.address ?? undefined
  } catch {
    // a request that did not come through this server (a test's app.request)
    return undefined
  }
}
