import { Hono } from 'hono'
import { z } from 'zod'
import { type Reporting, SalesQuery } from '../../contracts/reporting.ts'
import { requireAdmin } from '../../platform/http/auth.ts'
import type { AppEnv } from '../../platform/http/env.ts'
import { valid } from '../../platform/http/validate.ts'

const TopQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) })

// reportingRoutes serves the sales reports to admins (public) and to other modules (internal)
export const reportingRoutes = (svc: Reporting) =>
  new Hono<AppEnv>()
    .get('/api/reports/sales', requireAdmin(), valid('query', SalesQuery), async (c) =>
      c.json(await svc.sales(c.req.valid('query'))),
    )
    .get('/api/reports/top-products', requireAdmin(), valid('query', TopQuery), async (c) =>
      c.json(await svc.topProducts(c.req.valid('query').limit)),
    )
    .post('/api/reports/rebuild', requireAdmin(), async (c) => c.json(await svc.rebuild()))
    .get('/internal/reporting/sales', valid('query', SalesQuery), async (c) =>
      c.json(await svc.sales(c.req.valid('query'))),
    )
    .get('/internal/reporting/top-products', valid('query', TopQuery), async (c) =>
      c.json(await svc.topProducts(c.req.valid('query').limit)),
    )
    .post('/internal/reporting/rebuild', async (c) => c.json(await svc.rebuild()))

export type ReportingRoutes = ReturnType<typeof reportingRoutes>
