import { Hono } from 'hono'
import { hc } from 'hono/client'
import { z } from 'zod'
import { type Catalog, catalogContract } from '../../contracts/catalog.ts'
import { contract } from '../../contracts/contract.ts'
import { Topics } from '../../contracts/events.ts'
import { notFound } from '../../domain/errors.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import { defineModule } from '../../platform/module.ts'

// A module that exists for tests only: added to a registry through its manifest alone, it
// must show up in every layout, the gateway's route table, the OpenAPI document and the
// bench's endpoint map. It is not part of the real registry.

// Greeter greets a product by name
export interface Greeter {
  greet(productId: string): Promise<{ greeting: string }>
}

// greeterContract is the Greeter interface as a neighbour would ask for it
export const greeterContract = contract<Greeter>('greeter')

// GreeterService reads product names from its catalog neighbour (local or remote alike)
export class GreeterService implements Greeter {
  constructor(private readonly catalog: Catalog) {}

  async greet(productId: string) {
    const product = await this.catalog.product(productId)
    if (!product) throw notFound(`product ${productId}`)
    return { greeting: `hello, ${product.name}` }
  }
}

const Greeting = z.object({ greeting: z.string() })

// greeterRoutes serves the greeting publicly and on the module's internal prefix
export const greeterRoutes = (svc: Greeter) =>
  new Hono<AppEnv>()
    .get('/api/greetings/:id', async (c) => c.json(await svc.greet(c.req.param('id'))))
    .get('/internal/greeter/greet/:id', async (c) => c.json(await svc.greet(c.req.param('id'))))

// greeterClient is the Greeter contract over HTTP
export function greeterClient(base: string, fetch: Fetch): Greeter {
  const api = hc<ReturnType<typeof greeterRoutes>>(base, { fetch }).internal.greeter
  return {
    greet: async (id) => unwrap(await api.greet[':id'].$get({ param: { id } })),
  }
}

// greeter is the fixture's manifest
export const greeter = defineModule({
  name: 'greeter',
  implements: greeterContract,
  needs: { catalog: catalogContract },
  build: (ctx) => new GreeterService(ctx.needs.catalog),
  routes: greeterRoutes,
  client: greeterClient,
  publicRoutes: ['/api/greetings/:id'],
  internalPrefix: '/internal/greeter',
  api: [
    {
      method: 'get',
      path: '/api/greetings/{id}',
      summary: 'Greet a product (test fixture)',
      tag: 'greeter',
      auth: 'none',
      status: 200,
      response: Greeting,
    },
  ],
  publishes: [],
  // a consumer with its own group: the queue must register it from the manifest
  consumers: [{ topic: Topics.orders, group: 'greeter', handler: () => {} }],
})
