import type { Db } from './index.ts'

// SqliteStatement is what both drivers' prepared statements share: anonymous `?` parameters
// only (better-sqlite3 refuses numbered ones), and get() answers null or undefined for no row
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number }
  get(...params: unknown[]): unknown
  all(...params: unknown[]): unknown[]
}

// SqliteTransaction is a function run in a transaction; immediate() takes the write lock first
export interface SqliteTransaction<A extends unknown[], T> {
  (...args: A): T
  immediate(...args: A): T
}

// SqliteClient is one open SQLite file, bun:sqlite under Bun, better-sqlite3 under Node
export interface SqliteClient {
  // exec runs one or more statements without parameters
  exec(sql: string): void
  prepare(sql: string): SqliteStatement
  transaction<A extends unknown[], T>(fn: (...args: A) => T): SqliteTransaction<A, T>
  // whether a transaction is open on this connection
  readonly inTransaction: boolean
  close(): void
}

interface Driver {
  name: 'bun:sqlite' | 'better-sqlite3'
  open(path: string): SqliteClient
  drizzle(client: SqliteClient): Db
}

// the driver is loaded once, when this module is, so opening a file stays synchronous; the
// other runtime's driver is never imported (bun:sqlite does not exist under Node, and
// better-sqlite3 does not load in Bun)
const driver: Driver =
  typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined'
    ? await (async () => {
        const { Database } = await import('bun:sqlite')
        const { drizzle } = await import('drizzle-orm/bun-sqlite')
        return {
          name: 'bun:sqlite' as const,
          open: (path: string) =>
            new Database(path, { create: true, strict: true }) as unknown as SqliteClient,
          drizzle: (client: SqliteClient) => drizzle({ client: client as never }) as unknown as Db,
        }
      })()
    : await (async () => {
        const { default: BetterSqlite } = await import('better-sqlite3')
        const { drizzle } = await import('drizzle-orm/better-sqlite3')
        return {
          name: 'better-sqlite3' as const,
          open: (path: string) => new BetterSqlite(path) as unknown as SqliteClient,
          drizzle: (client: SqliteClient) => drizzle({ client: client as never }) as unknown as Db,
        }
      })()

// sqliteDriver names the driver this process uses
export const sqliteDriver = driver.name

// openSqlite opens (or creates) a SQLite file with the driver of this runtime
export const openSqlite = (path: string): SqliteClient => driver.open(path)

// drizzleOn puts drizzle on an open client (its sync SQLite dialect, whichever the driver)
export const drizzleOn = (client: SqliteClient): Db => driver.drizzle(client)
