import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { Hono } from 'hono'
import { testApp, testTokens } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import type { QueueStat } from '../bus/transport.ts'
import { FaultBoard } from '../chaos.ts'
import { ChaosCommands } from '../http/chaos-routes.ts'
import type { AppEnv } from '../http/env.ts'
import { mergeStats } from '../window.ts'
import { type OpsLook, type OpsSource, opsApp, type ProcessControl } from './app.ts'
import { type FaultList, type FaultSink, localFaults, mergeFaults } from './chaos.ts'

// The operations app against fake deployments of both shapes: a monolith (one process, its own
// fault board, no process control) and a micro gateway (replicas, chaos handed on, a supervisor)

const admin = await testTokens.issue({ id: 'u-admin', email: 'a@x', role: 'admin' })
const customer = await testTokens.issue({ id: 'u-1', email: 'c@x', role: 'customer' })

// lookAt is a look at a fake deployment whose queues and processes the test sets
function lookAt(
  processes: OpsLook['processes'],
  queues: () => QueueStat[],
  faults: () => OpsLook['faults'],
): () => Promise<OpsLook> {
  return async () => ({
    processes,
    breakers: [{ from: 'a', to: 'b', state: 'closed', failures: 0, changedAt: null }],
    queues: queues(),
    targets: () =>
      processes.map((p) => ({ ...mergeStats(p.name, []), kind: 'module', state: 'up' })),
    faults: faults(),
    events: [{ at: '2026-01-01T00:00:00.000Z', kind: 'started', source: 'x', detail: '' }],
  })
}

// serve runs an app on a loopback port (the chaos and control routes answer loopback only)
function serve(app: Hono<AppEnv>) {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch })
  const url = `http://127.0.0.1:${server.port}`
  const call = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        'Content-Type': 'application/json',
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  return { server, call }
}

// firstSnapshot reads the first event of the dashboard stream
async function firstSnapshot(res: Response): Promise<Record<string, any>> {
  const reader = res.body!.getReader()
  let text = ''
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value)
  await reader.cancel()
  return JSON.parse(text.split('data: ')[1]!.split('\n')[0]!)
}

describe('opsApp on a monolith-shaped source', () => {
  const board = new FaultBoard(() => true)
  let pending: QueueStat[] = [
    { topic: 'payments', pending: 0, deadLettered: 0, oldestPendingMs: 0 },
  ]
  const source: OpsSource = {
    deployment: 'monolith',
    look: lookAt(
      [
        {
          name: 'monolith',
          replica: 0,
          pid: process.pid,
          url: 'http://x',
          state: 'up',
          healthy: true,
          restarts: 0,
          rssBytes: 1,
          runtime: 'bun',
        },
      ],
      () => pending,
      () => board.snapshot(),
    ),
    faults: localFaults(board, (t) => ['pricing', 'inventory'].includes(t)),
  }
  const app = testApp(opsApp(source))
  let s: ReturnType<typeof serve>
  beforeAll(() => {
    s = serve(app)
  })
  afterAll(() => s.server.stop(true))

  it('answers /_/status to admins only, each process with the members its source gave', async () => {
    await expectProblem(await s.call('/_/status'), 401)
    await expectProblem(await s.call('/_/status', { token: customer }), 403)
    const status = (await (await s.call('/_/status', { token: admin })).json()) as any
    expect(status).toMatchObject({
      deployment: 'monolith',
      services: [{ name: 'monolith', healthy: true, restarts: 0, runtime: 'bun' }],
      breakers: [{ from: 'a', to: 'b', state: 'closed' }],
      queues: [{ topic: 'payments', pending: 0 }],
      events: [{ kind: 'started' }],
    })
  })

  it('serves the dashboard shell to anyone and its stream to admins, with dead letters in the feed', async () => {
    expect((await s.call('/_/dashboard')).status).toBe(200)
    await expectProblem(await s.call('/_/dashboard/stream'), 401)
    await s.call('/_/status', { token: admin })
    pending = [{ topic: 'payments', pending: 0, deadLettered: 2, oldestPendingMs: 0 }]
    const snapshot = await firstSnapshot(await s.call('/_/dashboard/stream', { token: admin }))
    expect(snapshot).toMatchObject({
      deployment: 'monolith',
      targets: [{ target: 'monolith', kind: 'module', state: 'up' }],
      processes: [{ name: 'monolith', runtime: 'bun' }],
      faults: { faults: {}, partitions: [] },
    })
    expect(snapshot.events.map((e: any) => e.kind)).toEqual(['started', 'dead-lettered'])
  })

  it('applies chaos to admins on known targets only, and answers with the faults after', async () => {
    const body = { target: 'pricing', rate: 1 }
    await expectProblem(await s.call('/_/chaos/errors', { body }), 401)
    await expectProblem(await s.call('/_/chaos/errors', { body, token: customer }), 403)
    await expectProblem(
      await s.call('/_/chaos/errors', { body: { target: 'nope', rate: 1 }, token: admin }),
      404,
    )
    await expectProblem(
      await s.call('/_/chaos/errors', { body: { target: 'pricing', rate: 7 }, token: admin }),
      400,
    )
    const res = await s.call('/_/chaos/errors', { body, token: admin })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      action: 'errors',
      target: 'pricing',
      rate: 1,
      faults: { pricing: { errorRate: 1 } },
      partitions: [],
    })
    const list = (await (await s.call('/_/chaos', { token: admin })).json()) as FaultList
    expect(list.faults.pricing?.errorRate).toBe(1)
    expect(list.events.map((e) => e.kind)).toEqual(['errors'])
    const healed = await s.call('/_/chaos/heal', { body: {}, token: admin })
    expect(await healed.json()).toMatchObject({ action: 'heal', target: 'all', faults: {} })
  })

  it('serves every action ChaosCommands lists (the body is validated, not the route missing)', async () => {
    for (const action of Object.keys(ChaosCommands)) {
      const res = await s.call(`/_/chaos/${action}`, { body: [], token: admin })
      await expectProblem(res, 400)
    }
  })

  it('refuses chaos to an admin who is not on this machine', async () => {
    // app.request has no socket, so no loopback peer: as if called from elsewhere
    const res = await app.request('/_/chaos', { headers: { Authorization: `Bearer ${admin}` } })
    await expectProblem(res, 403)
  })

  it('answers process control with 409: one process cannot be killed from inside', async () => {
    await expectProblem(await s.call('/_/control/kill/payments', { method: 'POST' }), 401)
    const res = await s.call('/_/control/kill/payments', { method: 'POST', token: admin })
    const problem = await expectProblem(res, 409)
    expect(problem.detail).toContain('one process')
  })
})

describe('opsApp on a micro-shaped source', () => {
  const applied: [string, Record<string, unknown>][] = []
  const controlled: string[] = []
  const services: Record<string, string[]> = {
    storefront: ['storefront'],
    catalog: ['catalog', 'pricing'],
  }
  const sink: FaultSink = {
    resolve: (name) =>
      Object.entries(services).find(([s, modules]) => s === name || modules.includes(name))?.[0] ??
      null,
    list: async () => ({ faults: {}, partitions: ['storefront->catalog'], events: [] }),
    apply: async (action, body) => {
      applied.push([action, body])
    },
  }
  const control: ProcessControl = {
    has: (service) => service in services,
    kill: (service) => {
      controlled.push(`kill ${service}`)
      return [4242]
    },
    stop: async (service) => void controlled.push(`stop ${service}`),
    start: async (service) => void controlled.push(`start ${service}`),
    restart: async (service) => void controlled.push(`restart ${service}`),
  }
  const proc = (name: string, replica: number, extra = {}) => ({
    name,
    replica,
    pid: 1000 + replica,
    url: `http://x/${name}`,
    state: 'up' as const,
    healthy: true,
    restarts: 0,
    rssBytes: 1,
    ...extra,
  })
  const source: OpsSource = {
    deployment: 'micro',
    look: lookAt(
      [proc('gateway', 0), proc('catalog', 0, { modules: ['catalog', 'pricing'] })],
      () => [],
      () => ({ faults: {}, partitions: [] }),
    ),
    faults: sink,
    control,
  }
  let s: ReturnType<typeof serve>
  beforeAll(() => {
    s = serve(testApp(opsApp(source)))
  })
  afterAll(() => s.server.stop(true))

  it('lists every process in /_/status with what its source added', async () => {
    const status = (await (await s.call('/_/status', { token: admin })).json()) as any
    expect(status.deployment).toBe('micro')
    expect(status.services.map((p: any) => p.name)).toEqual(['gateway', 'catalog'])
    expect(status.services[1].modules).toEqual(['catalog', 'pricing'])
  })

  it('hands chaos on with module names resolved to their service', async () => {
    const res = await s.call('/_/chaos/partition', {
      body: { from: 'storefront', to: 'pricing' },
      token: admin,
    })
    expect(await res.json()).toMatchObject({
      action: 'partition',
      from: 'storefront',
      to: 'catalog',
      partitions: ['storefront->catalog'],
    })
    expect(applied).toEqual([['partition', { from: 'storefront', to: 'catalog' }]])
    const all = await s.call('/_/chaos/heal', { body: { target: 'all' }, token: admin })
    expect(all.status).toBe(200)
    expect(applied[1]).toEqual(['heal', { target: 'all' }])
  })

  it('kills, stops, starts and restarts services for admins; unknown ones are 404', async () => {
    await expectProblem(
      await s.call('/_/control/kill/catalog', { method: 'POST', token: customer }),
      403,
    )
    expect(controlled).toEqual([])
    const kill = await s.call('/_/control/kill/catalog', { method: 'POST', token: admin })
    expect(await kill.json()).toEqual({ service: 'catalog', killed: [4242] })
    for (const [action, state] of [
      ['stop', 'stopped'],
      ['start', 'up'],
      ['restart', 'up'],
    ]) {
      const res = await s.call(`/_/control/${action}/catalog`, { method: 'POST', token: admin })
      expect(await res.json()).toEqual({ service: 'catalog', state })
    }
    expect(controlled).toEqual(['kill catalog', 'stop catalog', 'start catalog', 'restart catalog'])
    await expectProblem(await s.call('/_/control/kill/nope', { method: 'POST', token: admin }), 404)
  })
})

describe('mergeFaults', () => {
  it('joins what replicas say, names as sets, and keeps members it does not know', () => {
    const fault = {
      latencyMs: 5,
      jitterMs: 0,
      errorRate: 0,
      crash: false,
      hang: false,
      cpuMs: 0,
      leakMiBPerSec: 0,
      poison: false,
      poisonedEvent: null,
    }
    const merged = mergeFaults([
      {
        faults: { pricing: fault },
        partitions: ['a->b'],
        events: [{ at: '2', kind: 'latency', target: 'pricing', detail: '' }],
      },
      {
        faults: { reviews: { ...fault, errorRate: 1 } },
        partitions: ['a->b', 'c->d'],
        events: [{ at: '1', kind: 'errors', target: 'reviews', detail: '' }],
        poisoned: ['x'],
      } as FaultList,
      { faults: {}, partitions: [], poisoned: ['x', 'y'] } as unknown as FaultList,
    ])
    expect(merged.faults).toEqual({ pricing: fault, reviews: { ...fault, errorRate: 1 } })
    expect(merged.partitions).toEqual(['a->b', 'c->d'])
    expect(merged.events.map((e) => e.at)).toEqual(['1', '2'])
    expect((merged as any).poisoned).toEqual(['x', 'y'])
  })
})
