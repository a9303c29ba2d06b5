import { Hono } from 'hono'
import { notFound } from '../../domain/errors.ts'
import type { ChaosEvent, FaultBoard } from '../chaos.ts'
import { applyChaos, type ChaosAction, ChaosCommands } from '../http/chaos-routes.ts'
import type { AppEnv } from '../http/env.ts'
import { valid } from '../http/validate.ts'

// Faults are the faults in force somewhere: what a fault board's snapshot says
export type Faults = ReturnType<FaultBoard['snapshot']>

// FaultList is GET /_/chaos: the faults in force and the latest chaos events
export type FaultList = Faults & { events: ChaosEvent[] }

// FaultSink is where chaos commands go: one process's fault board (the monolith, a service),
// or the replicas of the service a target belongs to (the micro gateway)
export interface FaultSink {
  // the target a name stands for (a module; on micro the service running it), null if none
  resolve(name: string): string | null
  // the faults in force across the sink
  list(): Promise<FaultList>
  // carry out one validated command whose names are resolved ('all' stays 'all')
  apply(action: ChaosAction, body: Record<string, unknown>): Promise<void>
}

// localFaults is the sink of one process: its own fault board, with `known` target names
export function localFaults(board: FaultBoard, known: (target: string) => boolean): FaultSink {
  return {
    resolve: (name) => (known(name) ? name : null),
    list: async () => ({ ...board.snapshot(), events: board.events.slice(-50) }),
    apply: async (action, body) => applyChaos(board, action, body),
  }
}

// the members of a chaos command that name a target
const NAMES = ['target', 'from', 'to'] as const

// chaosRoutes serve GET /_/chaos and POST /_/chaos/:action for every action of ChaosCommands,
// over a sink; they check names, not callers (whoever mounts them puts the gate in front)
export function chaosRoutes(sink: FaultSink): Hono<AppEnv> {
  const app = new Hono<AppEnv>().get('/_/chaos', async (c) => c.json(await sink.list()))
  for (const action of Object.keys(ChaosCommands) as ChaosAction[]) {
    app.post(`/_/chaos/${action}`, valid('json', ChaosCommands[action]), async (c) => {
      const body = { ...(c.req.valid('json' as never) as Record<string, unknown>) }
      // every name is checked before anything is applied
      for (const key of NAMES) {
        const name = body[key]
        if (typeof name !== 'string' || name === 'all') continue
        const target = sink.resolve(name)
        if (!target) throw notFound(`target ${name}`)
        body[key] = target
      }
      await sink.apply(action, body)
      const { events: _events, ...faults } = await sink.list()
      return c.json({ action, ...body, ...faults })
    })
  }
  return app
}

const primitive = (v: unknown) => v === null || typeof v !== 'object'

// mergeFaults merges what several processes say of their faults, member by member: records
// joined, lists of names as sets, events oldest first (the last 50); members a fault board
// gains later merge the same way
export function mergeFaults(all: (Faults & { events?: ChaosEvent[] })[]): FaultList {
  const out: Record<string, unknown> = { faults: {}, partitions: [], events: [] }
  for (const one of all) {
    for (const [key, value] of Object.entries(one)) {
      const seen = out[key]
      if (Array.isArray(value)) out[key] = [...(Array.isArray(seen) ? seen : []), ...value]
      else if (value && typeof value === 'object') out[key] = { ...(seen as object), ...value }
      else out[key] = value
    }
  }
  for (const [key, value] of Object.entries(out)) {
    if (Array.isArray(value) && value.every(primitive)) out[key] = [...new Set(value)]
  }
  const merged = out as FaultList
  merged.events = merged.events.sort((a, b) => a.at.localeCompare(b.at)).slice(-50)
  return merged
}
