import { type Context, Hono } from 'hono'
import { conflict, notFound } from '../../domain/errors.ts'
import type { QueueStat } from '../bus/transport.ts'
import { requireAdmin } from '../http/auth.ts'
import type { BreakerView } from '../http/breakers.ts'
import { loopbackOnly } from '../http/chaos-routes.ts'
import {
  type DashboardSnapshot,
  DeadLetterWatch,
  dashboardStream,
  type FeedEvent,
  type ProcessView,
} from '../http/dashboard.ts'
import { dashboardPage } from '../http/dashboard-page.ts'
import type { AppEnv } from '../http/env.ts'
import { runtime } from '../runtime.ts'
import { chaosRoutes, type FaultSink, type Faults } from './chaos.ts'
import { latestFeed } from './feed.ts'

// ProcessStatus is one OS process of a deployment; the members a deployment adds (runtime,
// modules…) pass through to /_/status and to the dashboard
export type ProcessStatus = ProcessView & { healthy: boolean; [more: string]: unknown }

// OpsLook is one look at a whole deployment: what /_/status and the dashboard show
export interface OpsLook {
  processes: ProcessStatus[]
  breakers: BreakerView[]
  queues: QueueStat[]
  // the targets chaos and the figures are about: modules (monolith) or services (micro),
  // worked out for the dashboard only (a percentile of every window is not free, and
  // /_/status is polled during a bench)
  targets(): DashboardSnapshot['targets']
  faults: Faults
  events: FeedEvent[]
}

// ProcessControl kills, stops, starts and restarts the processes of a service (micro's
// supervisor); a deployment of one process has none
export interface ProcessControl {
  has(service: string): boolean
  kill(service: string): unknown
  stop(service: string): Promise<void>
  start(service: string): Promise<void>
  restart(service: string): Promise<void>
}

// OpsSource is what a deployment tells the operations app: how to look at it, where chaos
// commands go, and who controls its processes (if anyone)
export interface OpsSource {
  deployment: DashboardSnapshot['deployment']
  look(): Promise<OpsLook>
  faults: FaultSink
  control?: ProcessControl
}

// thisProcess is what the running process says of itself (runtime: 'bun 1.4.5', 'node v20.20.2')
export const thisProcess = () => ({
  pid: process.pid,
  rssBytes: process.memoryUsage.rss(),
  runtime,
})

// opsApp serves the operations routes, the same on every deployment: /_/status, the dashboard
// (a public static shell, its stream behind the ops gate of createApp), /_/chaos* and
// /_/control/* (admin and loopback only). Mount it on an app built by createApp, which
// identifies the caller and guards /_/status and the stream.
export function opsApp(source: OpsSource, opts: { intervalMs?: number } = {}): Hono<AppEnv> {
  const deadLetters = new DeadLetterWatch()
  const look = async (): Promise<OpsLook> => {
    const seen = await source.look()
    // a dead letter happens in whichever process consumed the message: the counts tell
    deadLetters.observe(seen.queues)
    return { ...seen, events: latestFeed([...seen.events, ...deadLetters.events]) }
  }
  const app = new Hono<AppEnv>()
  app.get('/_/status', async (c) => {
    const { processes, breakers, queues, faults, events } = await look()
    // faults: what chaos armed, by target and class (as GET /_/chaos, without its events)
    return c.json({
      deployment: source.deployment,
      services: processes,
      breakers,
      queues,
      faults,
      events,
    })
  })
  app.route(
    '/',
    dashboardStream(async (): Promise<DashboardSnapshot> => {
      const { processes, breakers, queues, targets, faults, events } = await look()
      return {
        deployment: source.deployment,
        at: new Date().toISOString(),
        targets: targets(),
        processes,
        breakers,
        queues,
        faults,
        events,
      }
    }, opts.intervalMs),
  )
  app.route('/', dashboardPage())
  app.use('/_/chaos', loopbackOnly(), requireAdmin())
  app.use('/_/chaos/*', loopbackOnly(), requireAdmin())
  app.route('/', chaosRoutes(source.faults))
  app.use('/_/control/*', loopbackOnly(), requireAdmin())
  app.route('/', controlRoutes(source))
  return app
}

// controlRoutes let an admin kill, stop, start or restart a service; a deployment without
// process control answers 409 and says why
function controlRoutes(source: OpsSource) {
  const serviceOf = (c: Context<AppEnv>): [ProcessControl, string] => {
    const control = source.control
    if (!control) {
      throw conflict(
        `the ${source.deployment} is one process: kill, stop, start and restart need the microservices deployment (POST /_/chaos/crash takes this one down)`,
      )
    }
    const service = c.req.param('service') ?? ''
    if (!control.has(service)) throw notFound(`service ${service}`)
    return [control, service]
  }
  // what each action does, and what its answer adds to the service's name
  const actions: Record<string, (control: ProcessControl, service: string) => Promise<object>> = {
    kill: async (control, service) => ({ killed: await control.kill(service) }),
    stop: async (control, service) => {
      await control.stop(service)
      return { state: 'stopped' }
    },
    start: async (control, service) => {
      await control.start(service)
      return { state: 'up' }
    },
    restart: async (control, service) => {
      await control.restart(service)
      return { state: 'up' }
    },
  }
  const app = new Hono<AppEnv>()
  for (const [action, run] of Object.entries(actions)) {
    app.post(`/_/control/${action}/:service`, async (c) => {
      const [control, service] = serviceOf(c)
      return c.json({ service, ...(await run(control, service)) })
    })
  }
  return app
}
