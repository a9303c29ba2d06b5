import { mkdirSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { isBun } from '../runtime.ts'
import { serverError } from './problem.ts'

// ServeOptions is what a process serves and where
export interface ServeOptions {
  hostname: string
  port: number
  fetch: (request: Request, env?: any) => Response | Promise<Response>
  // under Bun, also listen on this unix domain socket (its directory is made private to this
  // user; a socket left by a killed process is replaced): callers on this host skip TCP
  unix?: string
}

// Server is a listening HTTP server, whichever runtime's
export interface Server {
  port: number
  // stop stops accepting connections and resolves once the requests in flight are answered
  stop(): Promise<void>
}

// listenUnix serves fetch on a unix domain socket, in a directory only this user can enter
function listenUnix(path: string, fetch: ServeOptions['fetch']) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  // a replica killed by SIGKILL leaves its socket file behind; its replacement takes the path
  // (replicas never share one: a rolling restart stops the old process before the new starts)
  rmSync(path, { force: true })
  const server = Bun.serve({ unix: path, fetch, error: serverError })
  return {
    stop: async () => {
      await server.stop(false)
      rmSync(path, { force: true })
    },
  }
}

// serve listens with Bun.serve under Bun and @hono/node-server under Node, answering whatever
// escapes the app with problem+json (serverError); resolves once the port is bound
export async function serve(opts: ServeOptions): Promise<Server> {
  if (isBun) {
    // the socket first: once the port answers (health checks ask there), both are listening
    const local = opts.unix ? listenUnix(opts.unix, opts.fetch) : null
    let server: ReturnType<typeof Bun.serve>
    try {
      server = Bun.serve({
        hostname: opts.hostname,
        port: opts.port,
        fetch: opts.fetch,
        error: serverError,
      })
    } catch (error) {
      // the port is taken: the socket goes too, so nothing half-started answers
      await local?.stop()
      throw error
    }
    return {
      port: server.port ?? opts.port,
      stop: async () => {
        await Promise.all([server.stop(false), local?.stop()])
      },
    }
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
