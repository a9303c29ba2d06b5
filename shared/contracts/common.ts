import { z } from 'zod'

// MoneySchema is the wire shape of Money
export const MoneySchema = z.object({ amount: z.number(), currency: z.string() })

// Id is any of our string ids (seeded ids like p-0001 or uuids)
export const Id = z.string().min(1).max(64)

// Paging is the limit/offset query of list endpoints
export const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
})

// AuthUser is who a request acts for, as carried by the JWT
export const AuthUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(['customer', 'admin']),
})
export type AuthUser = z.infer<typeof AuthUserSchema>

// IdsQuery is the ?ids=a,b,c query of batch lookups
export const IdsQuery = z.object({
  ids: z
    .string()
    .max(20_000)
    .transform((s) => s.split(',').filter(Boolean)),
})
