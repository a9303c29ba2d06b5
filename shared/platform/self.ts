import { join } from 'node:path'

// selfCommand is how this program starts itself in another role: the compiled binary runs its
// own file, `bun run` runs the entry script (twinstack.ts)
export function selfCommand(...args: string[]): string[] {
  const compiled = import.meta.path.startsWith('/$bunfs/')
  return compiled
    ? [process.execPath, ...args]
    : [process.execPath, join(import.meta.dir, '..', '..', 'twinstack.ts'), ...args]
}
