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
