import { count } from 'drizzle-orm'
import type { CreditProfile } from '../../domain/loan.ts'
import { ADMIN_ID, Rng, SEED_USERS, userId } from '../../domain/prng.ts'
import { type Db, write } from '../../platform/db/index.ts'
import { creditProfiles } from './schema.ts'

// SEED_TIME is when the seeded bureau data claims to date from (fixed, so seeds are identical)
const SEED_TIME = '2025-01-01T00:00:00.000Z'

// seedProfile draws one applicant's bureau data; most are clean, some carry debts or misses
function seedProfile(rng: Rng): CreditProfile {
  return {
    score: rng.int(480, 840),
    existingDebtMonthly: rng.int(0, 16) * 50,
    missedPayments: rng.next() < 0.75 ? 0 : rng.int(1, 4),
    historyYears: rng.int(0, 25),
  }
}

// seedCreditCheck gives every seeded user (and the admin) a deterministic credit profile when
// the table is empty
export function seedCreditCheck(db: Db): void {
  if ((db.select({ n: count() }).from(creditProfiles).get()?.n ?? 0) > 0) return
  const rng = new Rng(7331)
  const ids = [...Array.from({ length: SEED_USERS }, (_, i) => userId(i + 1)), ADMIN_ID]
  const rows = ids.map((id) => ({ userId: id, ...seedProfile(rng), updatedAt: SEED_TIME }))
  write(db, (tx) => {
    tx.insert(creditProfiles).values(rows).run()
  })
}
