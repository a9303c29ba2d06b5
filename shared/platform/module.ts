import type { Handler } from './bus/inbox.ts'
import type { Db, MigrationSet } from './db/index.ts'

// ModuleDef is what wiring needs to know of a module besides its service: its tables and seed
export interface ModuleDef {
  name: string
  migrations?: MigrationSet
  // seed fills the module's tables with deterministic demo data when they are empty
  seed?(db: Db): void | Promise<void>
}

// migrationsOf names the migrations folder beside a module's schema
export const migrationsOf = (name: string, dir: string): MigrationSet => ({
  name,
  folder: `${dir}/migrations`,
})

// Consumer is a module's interest in a topic: a synchronous handler applied once per event
// (wiring wraps it with the inbox, and the transport retries it, then dead-letters it)
export interface Consumer {
  topic: string
  group: string
  handler: Handler
}
