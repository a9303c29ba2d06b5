import { afterAll, beforeAll, describe } from 'bun:test'
import type { Hono } from 'hono'
import { busMigrations } from '../platform/bus/index.ts'
import { type Database, migrate, openDatabase } from '../platform/db/index.ts'
import { createApp } from '../platform/http/app.ts'
import { jwtIssuer } from '../platform/http/auth.ts'
import type { AppEnv } from '../platform/http/env.ts'
import type { Fetch } from '../platform/http/remote.ts'
import type { ModuleDef } from '../platform/module.ts'
import { Telemetry } from '../platform/telemetry.ts'

// testTokens signs tokens for tests with a fixed secret
export const testTokens = jwtIssuer('test-secret')

// memoryDatabase opens an in-memory database with the bus tables and the given modules, seeded
export async function memoryDatabase(...modules: ModuleDef[]): Promise<Database> {
  const database = await openDatabase(':memory:')
  migrate(database.db, busMigrations)
  for (const m of modules) {
    if (m.migrations) migrate(database.db, m.migrations)
    await m.seed?.(database.db)
  }
  return database
}

// testApp mounts module routes on an app built like the real ones (errors, auth, limits)
export function testApp(...routes: Hono<AppEnv, any, any>[]): Hono<AppEnv> {
  const app = createApp({
    service: 'test',
    deployment: 'monolith',
    version: 'test',
    tokens: testTokens,
    telemetry: new Telemetry('test'),
    log: () => {},
  })
  for (const r of routes) app.route('/', r)
  return app
}

// appFetch points a client at an app without a socket
export const appFetch =
  (app: Hono<AppEnv>): Fetch =>
  (input, init) =>
    Promise.resolve(app.request(input instanceof Request ? input : String(input), init))

// Implementation is one way to reach a contract, plus how to tidy up after it
export interface Implementation<C> {
  impl: C
  close?: () => void | Promise<void>
}

// ContractSetup builds the service, its routes and its client, so one suite can run three ways
export interface ContractSetup<C> {
  service(): Promise<{ service: C; close?: () => void | Promise<void> }>
  routes(service: C): Hono<AppEnv, any, any>
  client(base: string, fetch: Fetch): C
}

// threeWays runs one contract suite against the service object, against the client over
// app.request (no socket), and against the client over a real loopback socket
export function threeWays<C>(name: string, setup: ContractSetup<C>, suite: (get: () => C) => void) {
  const ways: [string, () => Promise<Implementation<C>>][] = [
    [
      'service',
      async () => {
        const { service, close } = await setup.service()
        return { impl: service, close }
      },
    ],
    [
      'client over app.request',
      async () => {
        const { service, close } = await setup.service()
        const app = testApp(setup.routes(service))
        return { impl: setup.client('http://in-process', appFetch(app)), close }
      },
    ],
    [
      'client over a socket',
      async () => {
        const { service, close } = await setup.service()
        const app = testApp(setup.routes(service))
        const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch })
        return {
          impl: setup.client(`http://127.0.0.1:${server.port}`, fetch),
          close: async () => {
            await server.stop(true)
            await close?.()
          },
        }
      },
    ],
  ]
  for (const [way, make] of ways) {
    describe(`${name} (${way})`, () => {
      let current: Implementation<C> | undefined
      beforeAll(async () => {
        current = await make()
      })
      afterAll(async () => {
        await current?.close?.()
      })
      suite(() => current!.impl)
    })
  }
}
