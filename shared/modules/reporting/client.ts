import { hc } from 'hono/client'
import type {
  RebuildResult,
  Reporting,
  SalesReport,
  TopProducts,
} from '../../contracts/reporting.ts'
import { type Fetch, unwrap } from '../../platform/http/remote.ts'
import type { ReportingRoutes } from './routes.ts'

// reportingClient is the Reporting contract over HTTP
export function reportingClient(base: string, fetch: Fetch): Reporting {
  const api = hc<ReportingRoutes>(base, { fetch }).internal.reporting
  return {
    sales: async (query) =>
      unwrap<SalesReport>(await api.sales.$get({ query: { from: query.from, to: query.to } })),
    topProducts: async (limit) =>
      unwrap<TopProducts>(await api['top-products'].$get({ query: { limit: String(limit) } })),
    rebuild: async () => unwrap<RebuildResult>(await api.rebuild.$post()),
  }
}
