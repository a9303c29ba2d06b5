import type { Db, MigrationSet } from './db/index.ts'

// ModuleDef is what wiring needs to know of a module besides its service: its tables and seed
export interface ModuleDef {
  name: string
  migrations: MigrationSet
  // seed fills the module's tables with deterministic demo data when they are empty
  seed?(db: Db): void | Promise<void>
}

// migrationsOf names the migrations folder beside a module's schema
export const migrationsOf = (name: string, dir: string): MigrationSet => ({
  name,
  folder: `${dir}/migrations`,
})
