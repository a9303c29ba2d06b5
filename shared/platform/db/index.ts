import { readMigrationFiles } from 'drizzle-orm/migrator'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { embeddedMigrations } from './migrations.gen.ts'
import { drizzleOn, openSqlite, type SqliteClient } from './sqlite.ts'

// Db is any synchronous drizzle SQLite database (bun:sqlite under Bun, better-sqlite3 under Node)
export type Db = BaseSQLiteDatabase<'sync', any, Record<string, never>>
// Tx is the handle a write transaction callback receives; it has the query API of Db
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

// Database is an open database: the drizzle handle plus the file it lives in
export interface Database {
  db: Db
  path: string
  // readTogether runs fn in one read transaction on this connection (see snapshotOn)
  readTogether: Together
  close(): void
}

// Together runs a synchronous stretch of code, the reads it makes sharing one snapshot where
// the wiring can give one (else it just runs it)
export type Together = <T>(fn: () => T) => T

// alone is Together with no snapshot to share: it just runs fn
export const alone: Together = (fn) => fn()

// the read transaction open right now (snapshotOn), if any: a write ends it before it starts
let openSnapshot: { end(): void } | null = null

// snapshotOn answers readTogether for one connection: fn runs synchronously inside one
// deferred read transaction, so every statement it runs (a page's four module calls, say)
// reads the same snapshot and the connection takes its locks once, where each statement on its
// own is a read transaction of its own (lock, check the WAL, unlock: about 4 µs of CPU and two
// fcntl calls each on the bench's machine). The snapshot starts at fn's first statement, so it
// holds everything committed before fn ran; it ends when fn returns (or throws), before anything
// else runs on this thread, so no other request ever reads it. Inside a transaction already it
// is just fn(); a write() inside ends it first (the write then commits on its own)
function snapshotOn(client: SqliteClient): Together {
  const begin = client.prepare('BEGIN')
  const commit = client.prepare('COMMIT')
  const handle = {
    end() {
      openSnapshot = null
      if (!client.inTransaction) return
      try {
        commit.run()
      } catch {
        // a read transaction has nothing to keep: rolled back, it ends just the same
        client.exec('ROLLBACK')
      }
    },
  }
  return function readTogether(fn) {
    if (openSnapshot || client.inTransaction) return fn()
    begin.run()
    openSnapshot = handle
    try {
      return fn()
    } finally {
      if (openSnapshot === handle) handle.end()
    }
  }
}

// openDatabase opens (or creates) a SQLite file with WAL, a busy timeout and sane pragmas, with
// the driver of this runtime (db/sqlite.ts)
export async function openDatabase(path: string): Promise<Database> {
  const client = openSqlite(path)
  // the timeout first: the journal mode pragma takes a lock too, and a file shared by several
  // processes (users-orders.db) may be busy at that moment ("database is locked" at start)
  client.exec('PRAGMA busy_timeout = 5000')
  client.exec('PRAGMA journal_mode = WAL')
  // NORMAL in WAL survives a killed process (only power loss can drop the last commits)
  client.exec('PRAGMA synchronous = NORMAL')
  client.exec('PRAGMA foreign_keys = ON')
  return {
    db: drizzleOn(client),
    path,
    readTogether: snapshotOn(client),
    close: () => client.close(),
  }
}

// write runs a synchronous callback in an IMMEDIATE transaction (the only kind that is safe
// when several processes write one SQLite file); the callback must not await
export function write<T>(db: Db, fn: (tx: Tx) => T): T {
  openSnapshot?.end()
  return db.transaction(fn, { behavior: 'immediate' }) as T
}

// MigrationSet names a folder of drizzle-kit migrations and the table that tracks them
export interface MigrationSet {
  name: string
  folder: string
}

// migrate applies a module's migrations; each module tracks its own so one file can hold many
export function migrate(db: Db, set: MigrationSet): void {
  // the embedded copy is what a compiled binary has; a test keeps it equal to the folders
  const migrations =
    embeddedMigrations[set.name] ?? readMigrationFiles({ migrationsFolder: set.folder })
  const d = db as any
  d.dialect.migrate(migrations, d.session, { migrationsTable: `__migrations_${set.name}` })
}

// nowIso is the one clock format stored and returned everywhere
export const nowIso = () => new Date().toISOString()
