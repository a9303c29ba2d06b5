import { existsSync } from 'node:fs'
import type { SagaPoint } from '../modules/checkout/index.ts'

// ModuleSettings are the knobs of the crash-safe checkout a deployment reads from its
// environment (config.ts) and hands to the modules through wiring
export interface ModuleSettings {
  // how often the checkout's recovery worker runs (and its owner beats)
  recoverEveryMs?: number
  // how long a checkout attempt owns its saga before recovery may take over a hung one
  sagaLeaseMs?: number
  // time to live of a stock hold and of a card authorisation nobody committed / captured
  holdTtlMs?: number
  // how often inventory and payments sweep expired holds and authorisations
  sweepEveryMs?: number
  // tests only: a new checkout stops for good at this point (to SIGKILL the process there),
  // while the file checkoutHoldWhile names exists (always, when it is not set)
  checkoutHoldAt?: SagaPoint
  checkoutHoldWhile?: string
}

const num = (v: string | undefined) => (v && Number(v) > 0 ? Number(v) : undefined)

// moduleSettings reads TWINSTACK_RECOVER_MS, TWINSTACK_SAGA_LEASE_MS, TWINSTACK_HOLD_TTL_MS,
// TWINSTACK_SWEEP_MS and (tests) TWINSTACK_CHECKOUT_HOLD_AT / TWINSTACK_CHECKOUT_HOLD_WHILE
export function moduleSettings(env: Record<string, string | undefined>): ModuleSettings {
  return {
    recoverEveryMs: num(env.TWINSTACK_RECOVER_MS),
    sagaLeaseMs: num(env.TWINSTACK_SAGA_LEASE_MS),
    holdTtlMs: num(env.TWINSTACK_HOLD_TTL_MS),
    sweepEveryMs: num(env.TWINSTACK_SWEEP_MS),
    checkoutHoldAt: (env.TWINSTACK_CHECKOUT_HOLD_AT || undefined) as SagaPoint | undefined,
    checkoutHoldWhile: env.TWINSTACK_CHECKOUT_HOLD_WHILE || undefined,
  }
}

// optionsFor turns settings into the constructor options of one module
export function optionsFor(
  s: ModuleSettings,
  module: string,
  log: (msg: string) => void,
): Record<string, unknown> {
  const defined = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
  switch (module) {
    case 'checkout':
      return defined({
        log,
        recoverEveryMs: s.recoverEveryMs,
        leaseMs: s.sagaLeaseMs,
        hook: s.checkoutHoldAt
          ? (point: SagaPoint) => {
              if (point !== s.checkoutHoldAt) return
              if (s.checkoutHoldWhile && !existsSync(s.checkoutHoldWhile)) return
              log(`checkout: holding at ${point} (TWINSTACK_CHECKOUT_HOLD_AT)`)
              return new Promise<void>(() => {})
            }
          : undefined,
      })
    case 'inventory':
      return defined({ log, holdTtlMs: s.holdTtlMs, sweepEveryMs: s.sweepEveryMs })
    case 'payments':
      return defined({ log, authorizationTtlMs: s.holdTtlMs, sweepEveryMs: s.sweepEveryMs })
    default:
      return {}
  }
}
