import { z } from 'zod'

// MoneySchema is the wire shape of Money
export const MoneySchema = z.object({ amount: z.number(), currency: z.string() })

// ID_PATTERN is what every id looks like (seeded ids like p-0001, u-admin, or uuids): letters,
// digits and `-_.:` only, starting with a letter or digit, so control characters, padding and
// path tricks never reach a query, on either deployment
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/

// Id is any of our string ids; every route validates ids with it
export const Id = z.string().regex(ID_PATTERN, 'not a valid id')

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
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(Id)),
})
