import { freePort } from '../../shared/testing/process.ts'
import { prepareActors, referenceData } from '../actors.ts'
import { dataDirFor, freePortBlock, ownRoots, startMicro, startMonolith } from '../deploy.ts'
import { runClosed } from '../load.ts'
import type { RequestTemplate } from '../loadgen.ts'
import { DEPLOYMENTS, type Deployment, ENDPOINTS } from '../plan.ts'
import { templates } from '../workload.ts'
import type { BenchContext } from './common.ts'

// Calibration is the paced scenarios' rate, derived from what this machine can serve
export interface Calibration {
  // requests per second of the mixed load (every endpoint alike) each deployment served closed
  // loop, and the share of the weaker one the paced scenarios offer
  capacity: Record<Deployment, number | null>
  share: number
  // requests per second per endpoint offered by the failure and deployment scenarios
  ratePerEndpoint: number
  // true when no capacity could be measured and the fixed fallback rate was used
  fallback: boolean
}

// mixedTemplates interleaves every endpoint's requests, so a closed loop sends the same mix
// (each endpoint alike) as the paced scenarios
export function mixedTemplates(lists: RequestTemplate[][]): RequestTemplate[] {
  const out: RequestTemplate[] = []
  const n = Math.max(...lists.map((l) => l.length))
  for (let i = 0; i < n; i++) for (const l of lists) if (l.length) out.push(l[i % l.length]!)
  return out
}

// pacedRate is the per-endpoint rate that offers `share` of the weaker capacity, spread over
// the endpoints (at least 1 req/s each)
export const pacedRate = (capacity: (number | null)[], share: number, endpoints: number) => {
  const known = capacity.filter((c): c is number => c !== null && c > 0)
  if (!known.length) return null
  return Math.max(1, Math.floor((Math.min(...known) * share) / endpoints))
}

let cached: Calibration | null = null

// calibrate measures each deployment's capacity for the mixed load once per bench run (fresh
// data, closed loop), so the paced scenarios offer a stated share of the weaker one: a fault's
// blast radius is then never confused with saturation
export async function calibrate(ctx: BenchContext): Promise<Calibration> {
  if (cached) return cached
  const c = ctx.settings.calibration
  const p = ctx.progress
  const capacity: Record<Deployment, number | null> = { monolith: null, micro: null }
  for (const d of c.enabled ? DEPLOYMENTS : []) {
    p.begin(`calibrating the paced load · ${d}`)
    const server =
      d === 'monolith'
        ? await startMonolith({
            dataDir: dataDirFor(ctx.workDir, 'calibrate-mono'),
            port: freePort(),
            reset: true,
          })
        : await startMicro({
            dataDir: dataDirFor(ctx.workDir, 'calibrate-micro'),
            base: freePortBlock(),
            reset: true,
          })
    try {
      const ref = await referenceData(server.url)
      const actors = await prepareActors(server.url, ref, { users: 10, orders: 5 })
      const mix = mixedTemplates(
        ENDPOINTS.map((e) => templates(e.id, actors, e.id === 'checkout' ? 512 : 64, 11)),
      )
      const run = await runClosed(
        {
          engine: 'closed',
          url: server.url,
          requests: mix,
          durationS: c.durationS,
          warmupS: c.warmupS,
          connections: c.connections,
        },
        ctx.options.tool,
        { serverRoots: [server.proc.pid], ownRoots },
      )
      // every answer counts (a 409 or a 422 is the business answering; wrk does not tell 4xx
      // from 5xx), requests that got no answer do not
      const o = run.output
      capacity[d] = o.rps * (o.requests / Math.max(1, o.requests + o.errors))
      p.end(`${Math.round(capacity[d]!)} req/s of the mix, closed loop`)
    } finally {
      await server.stop()
    }
  }
  const rate = pacedRate(Object.values(capacity), c.share, ENDPOINTS.length)
  cached = {
    capacity,
    share: c.share,
    ratePerEndpoint: rate ?? ctx.settings.failure.rate,
    fallback: rate === null,
  }
  p.note(
    `paced load: ${cached.ratePerEndpoint} req/s per endpoint × ${ENDPOINTS.length}` +
      (cached.fallback
        ? ''
        : ` = ${Math.round(c.share * 100)} % of the weaker deployment's capacity`) +
      (cached.fallback
        ? ` (not calibrated${c.enabled ? ': no capacity measured' : ' in a quick run'}: a fixed rate)`
        : ''),
  )
  return cached
}

// forgetCalibration drops the cached calibration (a new bench run in the same process)
export const forgetCalibration = () => {
  cached = null
}
