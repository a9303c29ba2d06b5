import { join } from 'node:path'
import type { Storefront } from '../shared/contracts/storefront.ts'
import { busMigrations } from '../shared/platform/bus/index.ts'
import { FaultBoard, withFaults } from '../shared/platform/chaos.ts'
import { migrate, openDatabase } from '../shared/platform/db/index.ts'
import { jwtIssuer } from '../shared/platform/http/auth.ts'
import { buildModules, moduleWiring } from '../shared/wiring/registry.ts'
import { median } from './stats.ts'

// FaultCost is what the monolith's fault injection costs while nothing is armed: CPU per
// product page (in process, no HTTP) with every module wrapped as the monolith wires it, and
// built without the wrappers, alternating
export interface FaultCost {
  pages: number
  rounds: number
  wrappedUs: number | null
  bareUs: number | null
  // the median of the round-by-round ratios wrapped ÷ bare, minus 1 (target < 2 %)
  overhead: number | null
}

const READ_PATH = ['storefront', 'catalog', 'pricing', 'reviews', 'inventory']

// faultInjectionCost builds the product page's modules twice on one fresh database and times
// storefront.page() both ways, A B A B, taking medians
export async function faultInjectionCost(
  dir: string,
  pages = 1000,
  rounds = 20,
): Promise<FaultCost> {
  const database = await openDatabase(join(dir, 'fault-cost.db'))
  try {
    const { db } = database
    migrate(db, busMigrations)
    for (const name of READ_PATH) {
      const def = moduleWiring(name)
      if (def.migrations) migrate(db, def.migrations)
      await def.seed?.(db)
    }
    const base = {
      db: () => db,
      tokens: jwtIssuer('fault-cost-secret-fault-cost-secret'),
      outbox: () => {
        throw new Error('the read path publishes nothing')
      },
    }
    const board = new FaultBoard()
    const wrapped = withFaults(
      board,
      'http',
      'storefront',
      buildModules(
        ['storefront'],
        base,
        () => undefined,
        (caller, callee, s) => withFaults(board, caller, callee, s as object),
      ).get('storefront') as Storefront,
    )
    const bare = buildModules(['storefront'], base, () => undefined).get('storefront') as Storefront
    const ids = Array.from({ length: 1000 }, (_, i) => `p-${String(i + 1).padStart(4, '0')}`)
    const time = async (s: Storefront) => {
      const t0 = process.cpuUsage()
      for (let i = 0; i < pages; i++) await s.page(ids[i % ids.length]!)
      const t = process.cpuUsage(t0)
      return (t.user + t.system) / pages
    }
    // warm both up (JIT, page cache) before measuring
    await time(wrapped)
    await time(bare)
    const w: number[] = []
    const b: number[] = []
    const ratios: number[] = []
    for (let r = 0; r < rounds; r++) {
      // the order flips every round, so drift favours neither
      const [x, y] =
        r % 2 === 0
          ? [await time(wrapped), await time(bare)]
          : (([yy, xx]) => [xx, yy])([await time(bare), await time(wrapped)])
      w.push(x!)
      b.push(y!)
      ratios.push(x! / y!)
    }
    const ratioMedian = median(ratios)
    return {
      pages,
      rounds,
      wrappedUs: median(w),
      bareUs: median(b),
      overhead: ratioMedian === null ? null : ratioMedian - 1,
    }
  } finally {
    database.close()
  }
}
