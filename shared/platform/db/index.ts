import { readMigrationFiles } from 'drizzle-orm/migrator'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { embeddedMigrations } from './migrations.gen.ts'
import { drizzleOn, openSqlite } from './sqlite.ts'

// Db is any synchronous drizzle SQLite database (bun:sqlite under Bun, better-sqlite3 under Node)
export type Db = BaseSQLiteDatabase<'sync', any, Record<string, never>>
// Tx is the handle a write transaction callback receives; it has the query API of Db
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

// Database is an open database: the drizzle handle plus the file it lives in
export interface Database {
  db: Db
  path: string
  close(): void
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
  return { db: drizzleOn(client), path, close: () => client.close() }
}

// write runs a synchronous callback in an IMMEDIATE transaction (the only kind that is safe
// when several processes write one SQLite file); the callback must not await
export function write<T>(db: Db, fn: (tx: Tx) => T): T {
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
