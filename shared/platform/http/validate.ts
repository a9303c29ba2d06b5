import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type { z } from 'zod'
import { DomainError } from '../../domain/errors.ts'

// invalidInput is the zod-validator hook of every route: a failed parse becomes a 400 problem
// listing each issue by path
export function invalidInput(result: {
  success: boolean
  error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }
  target: keyof ValidationTargets
}): undefined {
  if (result.success) return
  const errors = (result.error?.issues ?? []).map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
  }))
  throw new DomainError('invalid', `invalid ${result.target}`, { errors })
}

// valid validates one part of the request against a zod schema, answering 400 problem+json
export const valid = <T extends keyof ValidationTargets, S extends z.ZodType>(
  target: T,
  schema: S,
) => zValidator(target, schema, invalidInput)
