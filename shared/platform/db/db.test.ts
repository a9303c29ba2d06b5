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
