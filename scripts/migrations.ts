// Generates drizzle-kit migrations for every module (and the platform's bus tables) that has a
// schema.ts: `bun run db:generate [module ...]`. Each set lives beside its schema in migrations/.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '..', 'shared')
const sets = [
  join(root, 'platform', 'bus'),
  ...readdirSync(join(root, 'modules')).map((m) => join(root, 'modules', m)),
]
  .filter((dir) => existsSync(join(dir, 'schema.ts')))
  .filter((dir) => process.argv.length <= 2 || process.argv.slice(2).some((n) => dir.endsWith(n)))

for (const dir of sets) {
  const proc = Bun.spawnSync(
    [
      'node_modules/.bin/drizzle-kit',
      'generate',
      '--dialect',
      'sqlite',
      '--schema',
      join(dir, 'schema.ts'),
      '--out',
      join(dir, 'migrations'),
    ],
    { stdout: 'inherit', stderr: 'inherit' },
  )
  if (proc.exitCode !== 0) process.exit(proc.exitCode ?? 1)
}
