import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import type { Inventory } from '../../contracts/inventory.ts'
import { DomainError } from '../../domain/errors.ts'
import { productId, SEED_PRODUCTS } from '../../domain/prng.ts'
import { type Database, migrate, openDatabase } from '../../platform/db/index.ts'
import { memoryDatabase, testApp, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import { InventoryService, inventory, inventoryClient, inventoryRoutes } from './index.ts'
import { stock as stockTable } from './schema.ts'
import { seedInventory } from './seed.ts'

const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof DomainError ? e.kind : `not a DomainError: ${e}`),
  )

let refs = 0
const ref = () => `test-ref-${++refs}`

threeWays<Inventory>(
  'Inventory',
  {
    service: async () => {
      const database = await memoryDatabase(inventory)
      return { service: new InventoryService(database.db), close: database.close }
    },
    routes: inventoryRoutes,
    client: inventoryClient,
  },
  (svc) => {
    const available = async (id: string) => (await svc().stock(id))!.available

    it('tells the stock of a product, sold out for every 50th, null when unknown', async () => {
      const p1 = await svc().stock('p-0001')
      expect(p1).toEqual({ productId: 'p-0001', available: expect.any(Number) })
      expect(p1!.available).toBeGreaterThanOrEqual(20)
      expect(await svc().stock('p-0050')).toEqual({ productId: 'p-0050', available: 0 })
      expect(await svc().stock('p-9999')).toBeNull()
    })

    it('holds stock on reserve and gives it back on release, once', async () => {
      const before = await available('p-0002')
      const reference = ref()
      const r = await svc().reserve({
        reference,
        items: [
          { productId: 'p-0002', quantity: 3 },
          { productId: 'p-0002', quantity: 2 },
        ],
      })
      // (toMatchObject with expect.any would overwrite r.id in this Bun version)
      expect(typeof r.id).toBe('string')
      expect(r.status).toBe('held')
      expect(await available('p-0002')).toBe(before - 5)
      expect((await svc().release(reference)).status).toBe('released')
      expect(await available('p-0002')).toBe(before)
      // releasing twice changes nothing, and a late reserve holds nothing again
      expect(await svc().release(reference)).toEqual({ ...r, status: 'released' })
      expect(await available('p-0002')).toBe(before)
      const late = await svc().reserve({ reference, items: [{ productId: 'p-0002', quantity: 1 }] })
      expect(late).toEqual({ ...r, status: 'released' })
      expect(await available('p-0002')).toBe(before)
    })

    it('commits a reservation: the units leave for good, and committing twice is harmless', async () => {
      const before = await available('p-0003')
      const reference = ref()
      await svc().reserve({ reference, items: [{ productId: 'p-0003', quantity: 4 }] })
      expect((await svc().commit(reference)).status).toBe('committed')
      expect((await svc().commit(reference)).status).toBe('committed')
      expect(await available('p-0003')).toBe(before - 4)
      expect(await failure(svc().release(reference))).toBe('conflict')
      expect(await available('p-0003')).toBe(before - 4)
      // a cancelled order puts its units back, once
      expect((await svc().restock(reference)).status).toBe('returned')
      expect((await svc().restock(reference)).status).toBe('returned')
      expect(await available('p-0003')).toBe(before)
    })

    it('refuses to commit a released reservation', async () => {
      const before = await available('p-0004')
      const reference = ref()
      await svc().reserve({ reference, items: [{ productId: 'p-0004', quantity: 1 }] })
      await svc().release(reference)
      expect(await failure(svc().commit(reference))).toBe('conflict')
      expect(await available('p-0004')).toBe(before)
    })

    it('holds once per reference', async () => {
      const before = await available('p-0005')
      const input = { reference: ref(), items: [{ productId: 'p-0005', quantity: 2 }] }
      const first = await svc().reserve(input)
      const again = await svc().reserve(input)
      expect(again).toEqual(first)
      expect(await available('p-0005')).toBe(before - 2)
    })

    it('is all-or-nothing: a short line fails the whole reservation with a conflict', async () => {
      const before = await available('p-0006')
      const error = await svc()
        .reserve({
          reference: ref(),
          items: [
            { productId: 'p-0006', quantity: 1 },
            { productId: 'p-0100', quantity: 1 },
          ],
        })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DomainError)
      expect((error as DomainError).kind).toBe('conflict')
      expect((error as DomainError).message).toContain('p-0100')
      expect(await available('p-0006')).toBe(before)
    })

    it('refuses an unknown product or reservation with not-found, holding nothing', async () => {
      const before = await available('p-0007')
      expect(
        await failure(
          svc().reserve({
            reference: ref(),
            items: [
              { productId: 'p-0007', quantity: 1 },
              { productId: 'p-9999', quantity: 1 },
            ],
          }),
        ),
      ).toBe('not-found')
      expect(await available('p-0007')).toBe(before)
      expect(await failure(svc().commit('no-such-reservation'))).toBe('not-found')
      // releasing a reference never reserved records it, so its late reserve holds nothing
      expect((await svc().release('never-reserved')).status).toBe('released')
      const late = await svc().reserve({
        reference: 'never-reserved',
        items: [{ productId: 'p-0007', quantity: 1 }],
      })
      expect(late.status).toBe('released')
      expect(await available('p-0007')).toBe(before)
    })

    it('never oversells when many reservations race for the last units', async () => {
      // leave exactly 5 units of p-0008, then let 20 buyers race for one each
      const start = await available('p-0008')
      await svc().reserve({
        reference: ref(),
        items: [{ productId: 'p-0008', quantity: start - 5 }],
      })
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          svc().reserve({ reference: ref(), items: [{ productId: 'p-0008', quantity: 1 }] }),
        ),
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5)
      const refused = results.filter((r) => r.status === 'rejected')
      expect(refused.every((r) => (r.reason as DomainError).kind === 'conflict')).toBe(true)
      expect(await available('p-0008')).toBe(0)
    })
  },
)

describe('InventoryService holds', () => {
  it('expire: the sweeper releases a hold nobody committed, once, and leaves committed ones', async () => {
    const database = await memoryDatabase(inventory)
    const svc = new InventoryService(database.db, { holdTtlMs: 60_000 })
    const available = async () => (await svc.stock('p-0021'))!.available
    const before = await available()
    await svc.reserve({ reference: 'lapses', items: [{ productId: 'p-0021', quantity: 2 }] })
    await svc.reserve({ reference: 'sold', items: [{ productId: 'p-0021', quantity: 1 }] })
    await svc.commit('sold')
    expect(await svc.reserved()).toBe(2)
    // nothing is due yet; a minute later the uncommitted hold is
    expect(svc.sweep()).toBe(0)
    expect(svc.sweep(Date.now() + 61_000)).toBe(1)
    expect(svc.sweep(Date.now() + 61_000)).toBe(0)
    expect(await svc.reserved()).toBe(0)
    expect(await available()).toBe(before - 1)
    // a late commit of an expired hold still takes the units (the money was taken)
    expect((await svc.commit('lapses')).status).toBe('committed')
    expect(await available()).toBe(before - 3)
    expect(await svc.reserved()).toBe(0)
    database.close()
  })
})

describe('seedInventory', () => {
  it('stocks every product once, 20..500 units, none for every 50th', async () => {
    const database = await memoryDatabase(inventory)
    const rows = database.db.select().from(stockTable).all()
    expect(rows).toHaveLength(SEED_PRODUCTS)
    for (const [i, row] of rows.entries()) {
      expect(row.reserved).toBe(0)
      if ((i + 1) % 50 === 0) expect(row.onHand).toBe(0)
      else expect(row.onHand >= 20 && row.onHand <= 500).toBe(true)
    }
    seedInventory(database.db)
    expect(database.db.select().from(stockTable).all()).toEqual(rows)
    const other = await memoryDatabase(inventory)
    expect(other.db.select().from(stockTable).all()).toEqual(rows)
    other.close()
    database.close()
  })
})

describe('InventoryService across processes', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'twinstack-inventory-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('never oversells when four processes race over one database file', async () => {
    const path = join(dir, 'inventory.db')
    const database = await openDatabase(path)
    migrate(database.db, inventory.migrations!)
    seedInventory(database.db)
    const product = productId(9)
    database.db
      .update(stockTable)
      .set({ onHand: 25, reserved: 0 })
      .where(eq(stockTable.productId, product))
      .run()
    // each process tries 20 single-unit reservations of the 25 units
    const worker = (n: number) => `
      import { openDatabase } from ${JSON.stringify(join(import.meta.dir, '../../platform/db/index.ts'))}
      import { InventoryService } from ${JSON.stringify(join(import.meta.dir, 'service.ts'))}
      const database = await openDatabase(${JSON.stringify(path)})
      const svc = new InventoryService(database.db)
      let held = 0, refused = 0
      for (let i = 0; i < 20; i++) {
        try {
          await svc.reserve({ reference: 'w${n}-' + i, items: [{ productId: '${product}', quantity: 1 }] })
          held++
        } catch (e) {
          if (e.kind !== 'conflict') throw e
          refused++
        }
      }
      database.close()
      console.log(JSON.stringify({ held, refused }))
    `
    const procs = [1, 2, 3, 4].map((n) =>
      Bun.spawn([process.execPath, '-e', worker(n)], { stdout: 'pipe', stderr: 'pipe' }),
    )
    const outputs = await Promise.all(
      procs.map(async (p) => {
        const [out, err, code] = await Promise.all([
          new Response(p.stdout).text(),
          new Response(p.stderr).text(),
          p.exited,
        ])
        expect(err).toBe('')
        expect(code).toBe(0)
        return JSON.parse(out) as { held: number; refused: number }
      }),
    )
    expect(outputs.reduce((s, o) => s + o.held, 0)).toBe(25)
    expect(outputs.reduce((s, o) => s + o.refused, 0)).toBe(55)
    const row = database.db.select().from(stockTable).where(eq(stockTable.productId, product)).get()
    expect(row).toEqual({ productId: product, onHand: 25, reserved: 25 })
    database.close()
  })
})

describe('inventoryRoutes', () => {
  let database: Database
  let app: ReturnType<typeof testApp>
  beforeAll(async () => {
    database = await memoryDatabase(inventory)
    app = testApp(inventoryRoutes(new InventoryService(database.db)))
  })
  afterAll(() => database.close())

  const post = (path: string, body?: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })

  it('GET /internal/inventory/stock/:id answers the stock, 404 when unknown, 400 for a huge id', async () => {
    const res = await app.request('/internal/inventory/stock/p-0100')
    expect(await res.json()).toEqual({ productId: 'p-0100', available: 0 })
    await expectProblem(await app.request('/internal/inventory/stock/p-9999'), 404)
    await expectProblem(await app.request(`/internal/inventory/stock/${'x'.repeat(65)}`), 400)
  })

  it('POST /internal/inventory/reservations holds stock; release and commit move it on', async () => {
    const res = await post('/internal/inventory/reservations', {
      reference: 'route-1',
      items: [{ productId: 'p-0011', quantity: 2 }],
    })
    expect(res.status).toBe(201)
    const r = (await res.json()) as { id: string; status: string }
    expect(r.status).toBe('held')
    const committed = await post('/internal/inventory/references/route-1/commit')
    expect(await committed.json()).toMatchObject({ id: r.id, status: 'committed' })
    await expectProblem(await post('/internal/inventory/references/route-1/release'), 409)
    const returned = await post('/internal/inventory/references/route-1/restock')
    expect(await returned.json()).toMatchObject({ id: r.id, status: 'returned' })
  })

  it('answers 409 out of stock and 404 for unknown products and reservations', async () => {
    await expectProblem(
      await post('/internal/inventory/reservations', {
        reference: 'route-2',
        items: [{ productId: 'p-0050', quantity: 1 }],
      }),
      409,
    )
    await expectProblem(
      await post('/internal/inventory/reservations', {
        reference: 'route-3',
        items: [{ productId: 'p-9999', quantity: 1 }],
      }),
      404,
    )
    await expectProblem(await post('/internal/inventory/references/nope/commit'), 404)
    await expectProblem(
      await post(`/internal/inventory/references/${'x'.repeat(101)}/release`),
      400,
    )
  })

  it('refuses malformed, mistyped, incomplete and huge reservation bodies with 4xx', async () => {
    const path = '/internal/inventory/reservations'
    const line = { productId: 'p-0012', quantity: 1 }
    const bad: unknown[] = [
      '{"reference": ',
      '[]',
      {},
      { reference: 'x' },
      { items: [line] },
      { reference: '', items: [line] },
      { reference: 'x'.repeat(101), items: [line] },
      { reference: 'x', items: [] },
      { reference: 'x', items: [{ productId: 'p-0012', quantity: 0 }] },
      { reference: 'x', items: [{ productId: 'p-0012', quantity: -3 }] },
      { reference: 'x', items: [{ productId: 'p-0012', quantity: 1.5 }] },
      { reference: 'x', items: [{ productId: 'p-0012', quantity: '1' }] },
      { reference: 'x', items: [{ productId: 'p-0012', quantity: 1e300 }] },
      { reference: 'x', items: [{ productId: 12, quantity: 1 }] },
    ]
    for (const body of bad) await expectProblem(await post(path, body), 400)
    // a safe but absurd quantity is a stock conflict, not a crash
    await expectProblem(
      await post(path, {
        reference: 'huge',
        items: [{ productId: 'p-0012', quantity: Number.MAX_SAFE_INTEGER }],
      }),
      409,
    )
    await expectProblem(
      await post(path, { reference: 'big', items: Array.from({ length: 40_000 }, () => line) }),
      413,
    )
    const stock = (await (await app.request('/internal/inventory/stock/p-0012')).json()) as {
      available: number
    }
    const row = database.db
      .select()
      .from(stockTable)
      .where(eq(stockTable.productId, 'p-0012'))
      .get()
    expect(stock.available).toBe(row!.onHand)
  })
})
