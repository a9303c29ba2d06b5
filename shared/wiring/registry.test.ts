import { describe, expect, it } from 'bun:test'
import type { Storefront } from '../contracts/storefront.ts'
import { catalog } from '../modules/catalog/index.ts'
import { inventory } from '../modules/inventory/index.ts'
import { pricing } from '../modules/pricing/index.ts'
import { reviews } from '../modules/reviews/index.ts'
import type { Together } from '../platform/db/index.ts'
import { memoryDatabase, testTokens } from '../testing/harness.ts'
import { buildModules } from './registry.ts'

describe('buildModules: reads together', () => {
  // the storefront built over a seeded database, its neighbours in process unless remote()
  // answers for them; readTogether counts its rounds and passes through to the database's
  async function storefrontWith(remote: (module: string) => unknown) {
    const database = await memoryDatabase(catalog, pricing, reviews, inventory)
    // snapshots opened, not those nested in one (reviews' summary reads in its own, which
    // inside the page's is the page's)
    let rounds = 0
    let depth = 0
    const readTogether: Together = (fn) => {
      if (depth === 0) rounds++
      depth++
      try {
        return database.readTogether(fn)
      } finally {
        depth--
      }
    }
    const built = buildModules(
      ['storefront'],
      {
        db: () => database.db,
        tokens: testTokens,
        outbox: () => {
          throw new Error('the read path publishes nothing')
        },
        readTogether,
      },
      remote,
    )
    return { storefront: built.get('storefront') as Storefront, rounds: () => rounds, database }
  }

  it('gives a module with its needs in process the database snapshot', async () => {
    const { storefront, rounds, database } = await storefrontWith(() => undefined)
    try {
      const page = await storefront.page('p-0001')
      expect(page.degraded).toEqual([])
      expect(page.price).not.toBeNull()
      expect(rounds()).toBe(1)
    } finally {
      database.close()
    }
  })

  it('runs the calls alone when fewer than two needs are in process', async () => {
    // pricing, reviews and inventory are remote (here: answering nothing in time), catalog local
    const never = new Proxy({}, { get: () => () => new Promise(() => {}) })
    const { storefront, rounds, database } = await storefrontWith((m) =>
      m === 'catalog' ? undefined : never,
    )
    try {
      const page = await storefront.page('p-0001')
      expect(page.id).toBe('p-0001')
      expect(rounds()).toBe(0)
    } finally {
      database.close()
    }
  })
})
