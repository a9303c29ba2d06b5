import { describe, expect, it } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { openDatabase, write } from './index.ts'
import { embeddedMigrations } from './migrations.gen.ts'

const shared = join(import.meta.dir, '..', '..')

describe('Embedded migrations', () => {
  it('match the migrations folders (run `bun run db:generate` after a schema change)', () => {
    const folders = [
      join(shared, 'platform', 'bus'),
      ...readdirSync(join(shared, 'modules')).map((m) => join(shared, 'modules', m)),
    ].filter((d) => existsSync(join(d, 'migrations', 'meta', '_journal.json')))
    const fromFolders = Object.fromEntries(
      folders.map((d) => [
        d.split('/').at(-1)!,
        readMigrationFiles({ migrationsFolder: join(d, 'migrations') }),
      ]),
    )
    expect(embeddedMigrations).toEqual(fromFolders)
  })
})

describe('openDatabase', () => {
  it('opens a WAL database with a busy timeout and immediate write transactions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinstack-db-'))
    const database = await openDatabase(join(dir, 'x.db'))
    try {
      const mode = database.db.all<{ journal_mode: string }>(sql`PRAGMA journal_mode`)[0]!
      expect(mode.journal_mode).toBe('wal')
      const timeout = database.db.all<{ timeout: number }>(sql`PRAGMA busy_timeout`)[0]!
      expect(timeout.timeout).toBe(5000)
      database.db.run(sql`CREATE TABLE t (n INTEGER)`)
      expect(() =>
        write(database.db, (tx) => {
          tx.run(sql`INSERT INTO t VALUES (1)`)
          throw new Error('undo')
        }),
      ).toThrow('undo')
      expect(database.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM t`)[0]!.n).toBe(0)
    } finally {
      database.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('readTogether', () => {
  // two connections to one file: `a` reads together, `b` commits beside it (autocommit, not
  // write(): write() would end a's snapshot, which is the point of another test)
  async function twoConnections() {
    const dir = mkdtempSync(join(tmpdir(), 'twinstack-snapshot-'))
    const a = await openDatabase(join(dir, 'x.db'))
    a.db.run(sql`CREATE TABLE t (n INTEGER)`)
    const b = await openDatabase(join(dir, 'x.db'))
    const count = (d: typeof a) => d.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM t`)[0]!.n
    const insert = (d: typeof a) => d.db.run(sql`INSERT INTO t VALUES (1)`)
    const close = () => {
      a.close()
      b.close()
      rmSync(dir, { recursive: true, force: true })
    }
    return { a, b, count, insert, close }
  }

  it('reads one snapshot that holds every commit made before it', async () => {
    const { a, b, count, insert, close } = await twoConnections()
    try {
      insert(b)
      const seen = a.readTogether(() => {
        const first = count(a)
        insert(b)
        // nested: the same snapshot, not a new one
        const nested = a.readTogether(() => count(a))
        return [first, count(a), nested]
      })
      expect(seen).toEqual([1, 1, 1])
      // ended: the next read is a transaction of its own and sees b's second row
      expect(count(a)).toBe(2)
    } finally {
      close()
    }
  })

  it('ends when its code throws', async () => {
    const { a, b, count, insert, close } = await twoConnections()
    try {
      expect(() =>
        a.readTogether(() => {
          count(a)
          throw new Error('part failed')
        }),
      ).toThrow('part failed')
      insert(b)
      expect(count(a)).toBe(1)
    } finally {
      close()
    }
  })

  it('is ended by a write inside it, which commits on its own at once', async () => {
    const { a, b, count, close } = await twoConnections()
    try {
      const seenByB = a.readTogether(() => {
        count(a)
        write(a.db, (tx) => tx.run(sql`INSERT INTO t VALUES (2)`))
        // committed before readTogether returns: another connection sees it already
        return count(b)
      })
      expect(seenByB).toBe(1)
      // no transaction left open on a: an immediate write transaction can start
      write(a.db, (tx) => tx.run(sql`INSERT INTO t VALUES (3)`))
      expect(count(b)).toBe(2)
    } finally {
      close()
    }
  })
})
