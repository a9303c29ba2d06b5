import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { selfCommand } from '../shared/platform/self.ts'

// Running services on Node: the bundle Node runs, built from the same sources on demand, and the
// command that starts one service on it.

const root = join(import.meta.dirname, '..')
const compiled = import.meta.path.startsWith('/$bunfs/')

// nodeEntryPath is where the Node bundle of a service process lives: dist/node/service.mjs of
// this checkout, or beside the compiled binary (dist/twinstack, built by npm run build)
export const nodeEntryPath = compiled
  ? join(dirname(process.execPath), 'node', 'service.mjs')
  : join(root, 'dist', 'node', 'service.mjs')

// buildNodeEntry bundles micro/service-node.ts for Node into nodeEntryPath and answers that
// path. The packages stay in node_modules (better-sqlite3 is native; drizzle-orm and the
// drivers are imported only on the runtime that uses them); the file is replaced atomically,
// so processes building at once never see half a bundle. A compiled binary has no sources:
// it uses the bundle npm run build left beside it.
export async function buildNodeEntry(out = nodeEntryPath): Promise<string> {
  if (compiled) {
    if (!existsSync(out)) throw new Error(`no Node bundle at ${out} (npm run build makes it)`)
    return out
  }
  const tmp = join(dirname(out), `.build-${process.pid}-${Date.now()}`)
  mkdirSync(tmp, { recursive: true })
  try {
    const built = await Bun.build({
      entrypoints: [join(root, 'micro', 'service-node.ts')],
      target: 'node',
      format: 'esm',
      outdir: tmp,
      naming: 'service.mjs',
      packages: 'external',
      external: ['bun', 'bun:*'],
    })
    if (!built.success) {
      throw new Error(`the Node bundle did not build: ${built.logs.map(String).join('\n')}`)
    }
    renameSync(join(tmp, 'service.mjs'), out)
    return out
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

// nodeCommand starts this program's service role on Node (TWINSTACK_NODE names another node)
export function nodeCommand(entry: string, ...args: string[]): string[] {
  return [process.env.TWINSTACK_NODE ?? 'node', entry, ...args]
}

// serviceCommand is the command line of one service replica on either runtime (for Node, after
// buildNodeEntry): `bun twinstack.ts service <name> --replica n` or the same arguments to
// `node dist/node/service.mjs`; the process reads the rest from env like any service
export function serviceCommand(
  runtime: 'bun' | 'node',
  name: string,
  replica = 0,
  entry = nodeEntryPath,
): string[] {
  const args = ['service', name, '--replica', String(replica)]
  return runtime === 'node' ? nodeCommand(entry, ...args) : selfCommand(...args)
}

// build on `bun micro/node.ts` (npm run build): print where the bundle went
if (import.meta.main) console.log(await buildNodeEntry(process.argv[2] ?? nodeEntryPath))
