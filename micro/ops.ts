import type { Transport } from '../shared/platform/bus/transport.ts'
import type { BreakerBoard, BreakerView } from '../shared/platform/http/breakers.ts'
import type { FeedEvent } from '../shared/platform/http/dashboard.ts'
import {
  type OpsLook,
  type OpsSource,
  type ProcessControl,
  thisProcess,
} from '../shared/platform/ops/app.ts'
import {
  type FaultList,
  type FaultSink,
  type Faults,
  mergeFaults,
} from '../shared/platform/ops/chaos.ts'
import { breakerFeed, type FeedLog } from '../shared/platform/ops/feed.ts'
import type { Telemetry } from '../shared/platform/telemetry.ts'
import { mergeStats, type WindowStats } from '../shared/platform/window.ts'
import type { MicroConfig } from './config.ts'
import type { Supervisor } from './supervisor/supervisor.ts'

// Local is what a replica says of itself at /_/local; members it adds (runtime, modules…)
// pass through to its line of /_/status
export interface Local {
  service: string
  replica: number
  pid: number
  rssBytes: number
  breakers: BreakerView[]
  stats: WindowStats | null
  faults: Faults
  events: FeedEvent[]
  [more: string]: unknown
}

// MicroOpsOptions are what the operations of the microservices look at: the supervisor's
// replicas, the queue, and the gateway's own breakers and figures
export interface MicroOpsOptions {
  config: MicroConfig
  supervisor: Supervisor
  queue: Transport
  telemetry: Telemetry
  // the gateway's breakers (one per upstream service)
  board: BreakerBoard
}

// microOps is the microservices deployment as the operations app sees it: the gateway and
// every replica of the supervisor, chaos forwarded to the replicas of the service concerned,
// processes controlled by the supervisor
export function microOps(opts: MicroOpsOptions): OpsSource {
  const gatewayFeed = breakerFeed(opts.board)
  return {
    deployment: 'micro',
    look: () => look(opts, gatewayFeed),
    faults: forwardFaults(opts),
    control: supervisorControl(opts.supervisor),
  }
}

// ask sends one request to a replica with the service token, null when it does not answer
async function ask<T>(
  url: string,
  serviceToken: string,
  ms: number,
  init: { method?: string; body?: unknown } = {},
): Promise<T | null> {
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { 'Content-Type': 'application/json', 'X-Service-Token': serviceToken },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(ms),
    })
    if (!res.ok) {
      await res.body?.cancel()
      return null
    }
    return (await res.json()) as T
  } catch {
    return null
  }
}

// look asks every live replica about itself (300 ms each, in parallel) and puts it together
// with the supervisor's table and the gateway's own view
async function look(opts: MicroOpsOptions, gatewayFeed: FeedLog): Promise<OpsLook> {
  const { config, supervisor } = opts
  const replicas = supervisor.replicas
  const local = await Promise.all(
    replicas.map((r) =>
      r.proc ? ask<Local>(`${r.url}/_/local`, config.serviceToken, 300) : Promise.resolve(null),
    ),
  )
  // replicas of one caller each hold a breaker per link: the most recently changed one is shown
  const breakers = new Map<string, BreakerView>()
  for (const b of [...opts.board.list(), ...local.flatMap((l) => l?.breakers ?? [])]) {
    const key = `${b.from}->${b.to}`
    const seen = breakers.get(key)
    if (!seen || (b.changedAt ?? '') > (seen.changedAt ?? '')) breakers.set(key, b)
  }
  const targets = () => {
    const seenAtGateway = new Map(opts.telemetry.window.snapshot().map((w) => [w.target, w]))
    return config.topology.services.map((spec) => {
      const mine = replicas
        .map((r, i) => [r, local[i]] as const)
        .filter(([r]) => r.service === spec.name)
      const state = mine.some(([r]) => r.state === 'up')
        ? 'up'
        : mine.some(([r]) => r.state === 'starting')
          ? 'starting'
          : mine.every(([r]) => r.state === 'stopped')
            ? 'stopped'
            : 'down'
      // what users see of a routed service is measured at the gateway (a dead service cannot
      // count its own failures); internal ones report themselves, replicas summed
      const own = mine.map(([, l]) => l?.stats).filter((x): x is WindowStats => Boolean(x))
      const stats = seenAtGateway.get(spec.name) ?? mergeStats(spec.name, own)
      return { ...stats, target: spec.name, kind: 'service' as const, state: state as 'up' }
    })
  }
  const { events: _events, ...faults } = mergeFaults(
    local.filter((l): l is Local => l !== null).map((l) => l.faults),
  )
  return {
    processes: [
      {
        ...thisProcess(),
        name: 'gateway',
        replica: 0,
        url: `http://${config.host}:${config.topology.gateway.port}`,
        state: 'up',
        healthy: true,
        restarts: 0,
      },
      ...replicas.map((r, i) => {
        const {
          service: _s,
          breakers: _b,
          stats: _st,
          faults: _f,
          events: _e,
          ...about
        } = local[i] ?? ({} as Partial<Local>)
        const group = config.topology.services.find((s) => s.name === r.service)
        return {
          // what the process runs, known even while it is down: its group's runtime (the
          // process itself says which version, below) and modules
          runtime: group?.runtime ?? 'bun',
          ...about,
          modules: group?.modules ?? [],
          name: r.service,
          replica: r.index,
          url: r.url,
          pid: r.pid,
          healthy: local[i] !== null,
          state: r.state,
          restarts: r.restarts,
          rssBytes: local[i]?.rssBytes ?? 0,
        }
      }),
    ],
    breakers: [...breakers.values()].sort((a, b) =>
      `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`),
    ),
    queues: opts.queue.stats(),
    targets,
    faults,
    events: [
      ...gatewayFeed.events,
      // `service` stays beside `source`: /_/status has always named it so
      ...supervisor.events.map((e) => ({ ...e, source: e.service })),
      ...local.flatMap((l) => l?.events ?? []),
    ],
  }
}

// forwardFaults hands each chaos command to the replicas it concerns (faults live where the
// traffic is): a partition to the caller's service, 'all' to every service, anything else to
// the target's; a module name stands for the service that runs it
function forwardFaults(opts: MicroOpsOptions): FaultSink {
  const { config, supervisor } = opts
  const services = config.topology.services
  const running = (service?: string) =>
    supervisor.replicas.filter((r) => r.proc && (!service || r.service === service))
  return {
    resolve: (name) =>
      services.find((s) => s.name === name || s.modules.includes(name))?.name ?? null,
    async list() {
      const all = await Promise.all(
        running().map((r) => ask<FaultList>(`${r.url}/_/chaos`, config.serviceToken, 500)),
      )
      return mergeFaults(all.filter((a): a is FaultList => a !== null))
    },
    async apply(action, body) {
      const to = (body.from ?? body.target) as string
      // a service stalled by a cpu fault reaches the command only after the calls queued before
      // it, each burning its share: a heal must not be dropped for being slow
      await Promise.all(
        running(to === 'all' ? undefined : to).map((r) =>
          ask(`${r.url}/_/chaos/${action}`, config.serviceToken, 10_000, { method: 'POST', body }),
        ),
      )
    },
  }
}

// supervisorControl lets the supervisor kill, stop, start and restart services
function supervisorControl(supervisor: Supervisor): ProcessControl {
  return {
    has(service) {
      try {
        supervisor.replicasOf(service)
        return true
      } catch {
        return false
      }
    },
    kill: (service) => supervisor.kill(service),
    stop: (service) => supervisor.stop(service),
    start: (service) => supervisor.startService(service),
    restart: (service) => supervisor.restart(service),
  }
}
