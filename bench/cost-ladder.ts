import { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Hono } from 'hono'
import { monolithApp } from '../monolith/app.ts'
import { wireMonolith } from '../monolith/wire.ts'
import type { Catalog } from '../shared/contracts/catalog.ts'
import type { Inventory } from '../shared/contracts/inventory.ts'
import type { Pricing } from '../shared/contracts/pricing.ts'
import type { Reviews } from '../shared/contracts/reviews.ts'
import type { Storefront } from '../shared/contracts/storefront.ts'
import { jwtIssuer } from '../shared/platform/http/auth.ts'
import { buildModules } from '../shared/wiring/registry.ts'
import { median } from './stats.ts'
import { productPage } from './targets/product-queries.ts'

// CostLadder is where the monolith's product page spends its CPU, layer by layer, in this
// process (no HTTP): the same five statements run bare (each its own read transaction, as the
// reference route runs them), then in one read transaction (as the monolith's page reads),
// through the modules, the aggregator, and the whole app with its middleware; and Hono alone
// around the bare statements
export interface CostLadder {
  pages: number
  rounds: number
  // µs of CPU per page, medians over the rounds
  rawUs: number | null
  // the five statements in one read transaction (Database.readTogether)
  togetherUs?: number | null
  honoUs: number | null
  modulesUs: number | null
  pageUs: number | null
  appUs: number | null
}

// STEPS name the layers in the order they build on each other
export const LADDER_STEPS = ['raw', 'together', 'hono', 'modules', 'page', 'app'] as const
type Step = (typeof LADDER_STEPS)[number]

// costLadder wires a monolith on a fresh database and times each layer A B C … in turn, the
// order rotating every round so drift favours none
export async function costLadder(dir: string, pages = 2000, rounds = 10): Promise<CostLadder> {
  const dbPath = join(dir, 'monolith.db')
  const wired = await wireMonolith({
    dbPath,
    jwtSecret: randomBytes(32).toString('hex'),
    log: () => {},
  })
  const raw = new Database(dbPath, { readonly: true, strict: true })
  try {
    // the reference route's statements (bench/targets/product-page.ts), bare
    const page = productPage(raw)
    const bare = (id: string) => page(id)
    // the same statements in one read transaction of the raw connection (as the snapshot reference)
    const together = productPage(raw, true)
    const hono = new Hono().get('/api/products/:id', (c) =>
      c.body(bare(c.req.param('id')) ?? '', 200, { 'Content-Type': 'application/json' }),
    )
    const built = buildModules(
      ['storefront'],
      {
        db: () => wired.database.db,
        tokens: jwtIssuer(randomBytes(32).toString('hex')),
        outbox: () => {
          throw new Error('the read path publishes nothing')
        },
        readTogether: wired.database.readTogether,
      },
      () => undefined,
    )
    const catalog = built.get('catalog') as Catalog
    const pricing = built.get('pricing') as Pricing
    const reviews = built.get('reviews') as Reviews
    const inventory = built.get('inventory') as Inventory
    const storefront = built.get('storefront') as Storefront
    const app = monolithApp(wired, { url: 'http://bench' })
    const ids = Array.from({ length: 1000 }, (_, i) => `p-${String(i + 1).padStart(4, '0')}`)
    const run: Record<Step, (id: string) => unknown> = {
      raw: bare,
      together,
      hono: async (id) => (await hono.request(`http://bench/api/products/${id}`)).text(),
      // the four calls started in one snapshot, as the aggregator starts them
      modules: async (id) =>
        JSON.stringify(
          await Promise.all(
            wired.database.readTogether(() => [
              catalog.product(id),
              pricing.price(id),
              reviews.summary(id),
              inventory.stock(id),
            ]),
          ),
        ),
      page: async (id) => JSON.stringify(await storefront.page(id)),
      app: async (id) => {
        const res = await app.request(`http://bench/api/products/${id}`)
        if (res.status !== 200) throw new Error(`the monolith answered ${res.status}`)
        return res.text()
      },
    }
    const time = async (step: Step) => {
      const f = run[step]
      const t0 = process.cpuUsage()
      for (let i = 0; i < pages; i++) await f(ids[i % ids.length]!)
      const t = process.cpuUsage(t0)
      return (t.user + t.system) / pages
    }
    for (const step of LADDER_STEPS) await time(step)
    const got: Record<Step, number[]> = {
      raw: [],
      together: [],
      hono: [],
      modules: [],
      page: [],
      app: [],
    }
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < LADDER_STEPS.length; k++) {
        const step = LADDER_STEPS[(k + r) % LADDER_STEPS.length]!
        got[step].push(await time(step))
      }
    }
    return {
      pages,
      rounds,
      rawUs: median(got.raw),
      togetherUs: median(got.together),
      honoUs: median(got.hono),
      modulesUs: median(got.modules),
      pageUs: median(got.page),
      appUs: median(got.app),
    }
  } finally {
    raw.close()
    await wired.close()
  }
}
