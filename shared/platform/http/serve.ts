import { isBun } from '../runtime.ts'
import { serverError } from './problem.ts'

// ServeOptions is what a process serves and where
export interface ServeOptions {
  hostname: string
  port: number
  fetch: (request: Request, env?: any) => Response | Promise<Response>
}

// Server is a listening HTTP server, whichever runtime's
export interface Server {
  port: number
  // stop stops accepting connections and resolves once the requests in flight are answered
  stop(): Promise<void>
}

// serve listens with Bun.serve under Bun and @hono/node-server under Node, answering whatever
// escapes the app with problem+json (serverError); resolves once the port is bound
export async function serve(opts: ServeOptions): Promise<Server> {
  if (isBun) {
    const server = Bun.serve({
      hostname: opts.hostname,
      port: opts.port,
      fetch: opts.fetch,
      error: serverError,
    })
    return { port: server.port ?? opts.port, stop: () => server.stop(false) }
  }
  const { serve: nodeServe } = await import('@hono/node-server')
  const fetch = async (request: Request, env: unknown) => {
    try {
      return await opts.fetch(request, env)
    } catch (error) {
      return serverError(error as Error)
    }
  }
  const server = nodeServe({ fetch, hostname: opts.hostname, port: opts.port })
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve()
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        // keep-alive connections with no request in flight would hold close() open
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      }),
  }
}
