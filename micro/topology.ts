// The microservices deployment in one place: every service, the modules it runs, its port,
// replicas, database file and the public paths the gateway sends it.

// ServiceSpec describes one service of the topology
export interface ServiceSpec {
  name: string
  modules: string[]
  // first replica's port; replica i listens on port + i
  port: number
  replicas: number
  // database file in the data directory, or null for stateless services
  database: string | null
  // public path patterns (Hono syntax) the gateway routes to this service
  routes: string[]
  // the services whose contracts this one calls
  calls: string[]
  // what runs the process: Bun (default) or Node 20 (a bundle built on demand, micro/node.ts)
  runtime?: 'bun' | 'node'
}

// Topology is the whole deployment: gateway, services and the shared queue file
export interface Topology {
  gateway: { port: number }
  queue: string
  // consumer groups per topic, registered before anyone publishes so nothing is missed
  groups: Record<string, string[]>
  services: ServiceSpec[]
}

const service = (
  name: string,
  port: number,
  spec: Partial<ServiceSpec> & Pick<ServiceSpec, 'database'>,
): ServiceSpec => ({ name, modules: [name], port, replicas: 1, routes: [], calls: [], ...spec })

// topology is the default deployment (ports from 4100, ten apart to leave room for replicas)
export const topology: Topology = {
  gateway: { port: 4000 },
  queue: 'queue.db',
  groups: { payments: ['notifications'], orders: ['reporting'] },
  services: [
    // users and orders share one database file: the seed's Shared-Data pattern
    service('users', 4100, { database: 'users-orders.db', routes: ['/api/auth/*'] }),
    service('catalog', 4110, { database: 'catalog.db' }),
    service('pricing', 4120, { database: 'pricing.db' }),
    service('reviews', 4130, {
      database: 'reviews.db',
      routes: ['/api/products/:id/reviews'],
      calls: ['catalog'],
    }),
    service('inventory', 4140, { database: 'inventory.db' }),
    service('storefront', 4150, {
      database: null,
      replicas: 2,
      routes: ['/api/products', '/api/products/:id'],
      calls: ['catalog', 'pricing', 'reviews', 'inventory'],
    }),
    service('orders', 4160, {
      modules: ['orders', 'checkout'],
      database: 'users-orders.db',
      routes: ['/api/checkout', '/api/checkout/*', '/api/orders/*', '/api/users/:id/orders'],
      calls: ['catalog', 'pricing', 'inventory', 'payments', 'shipping'],
    }),
    service('payments', 4170, { database: 'payments.db' }),
    service('shipping', 4180, { database: null }),
    service('notifications', 4190, {
      database: 'notifications.db',
      routes: ['/api/notifications'],
    }),
    service('reporting', 4200, {
      database: 'reporting.db',
      routes: ['/api/reports/*'],
      calls: ['orders'],
    }),
    service('loan-validation', 4210, {
      database: 'loans.db',
      routes: ['/api/loans', '/api/loans/*'],
      calls: ['credit-check'],
    }),
    service('credit-check', 4220, { database: 'credit.db', calls: ['loan-approval'] }),
    service('loan-approval', 4230, { database: null }),
  ],
}

// serviceNamed finds a service of the topology or throws
export function serviceNamed(name: string, t: Topology = topology): ServiceSpec {
  const s = t.services.find((x) => x.name === name)
  if (!s)
    throw new Error(`no service named ${name} (known: ${t.services.map((x) => x.name).join(', ')})`)
  return s
}

// replicaUrls lists the loopback URLs of a service's replicas
export const replicaUrls = (s: ServiceSpec, host = '127.0.0.1') =>
  Array.from({ length: s.replicas }, (_, i) => `http://${host}:${s.port + i}`)
