import type { MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { forbidden } from '../../domain/errors.ts'
import type { FaultBoard } from '../chaos.ts'
import { socketAddress } from '../runtime.ts'

const Target = z.string().min(1).max(64)

// ChaosCommands are the bodies of POST /_/chaos/:action, the same on both deployments
export const ChaosCommands = {
  latency: z.object({
    target: Target,
    ms: z.number().int().min(0).max(60_000),
    jitter: z.number().int().min(0).max(60_000).default(0),
  }),
  errors: z.object({ target: Target, rate: z.number().min(0).max(1) }),
  heal: z.object({ target: Target.default('all') }),
  partition: z.object({ from: Target, to: Target }),
  crash: z.object({ target: Target }),
  hang: z.object({ target: Target }),
  cpu: z.object({ target: Target, ms: z.number().int().min(1).max(10_000) }),
  leak: z.object({ target: Target, mibPerSec: z.number().positive().max(1024) }),
  poison: z.object({ target: Target }),
} as const
export type ChaosAction = keyof typeof ChaosCommands

// loopbackOnly refuses callers that are not on this machine
export function loopbackOnly(): MiddlewareHandler {
  return async function onlyLoopback(c, next) {
    const address = socketAddress(c) ?? ''
    if (!/^(127\.|::1$|::ffff:127\.)/.test(address))
      throw forbidden('control routes are loopback only')
    await next()
  }
}

// applyChaos carries out one validated chaos command on a fault board
export function applyChaos(board: FaultBoard, action: ChaosAction, body: any): void {
  const commands: Record<ChaosAction, () => void> = {
    latency: () => board.latency(body.target, body.ms, body.jitter),
    errors: () => board.errors(body.target, body.rate),
    heal: () => board.heal(body.target),
    partition: () => board.partition(body.from, body.to),
    crash: () => board.crash(body.target),
    hang: () => board.hang(body.target),
    cpu: () => board.cpu(body.target, body.ms),
    leak: () => board.leak(body.target, body.mibPerSec),
    poison: () => board.poison(body.target),
  }
  commands[action]()
}
