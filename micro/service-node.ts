import { runService } from './service.ts'

// The Node entry of a service process. Node 20 runs no TypeScript, so micro/node.ts bundles this
// file for Node (`bun build --target=node`, packages left to node_modules) into
// dist/node/service.mjs, and the supervisor starts a service whose runtime is 'node' as
//   node dist/node/service.mjs service <name> [--replica n]
// (the same arguments as `bun twinstack.ts service <name> [--replica n]`)
const [role, name, ...args] = process.argv.slice(2)
if (role !== 'service' || !name) {
  console.error('usage: node dist/node/service.mjs service <name> [--replica n]')
  process.exit(1)
}
const at = args.indexOf('--replica')
await runService(name, at < 0 ? 0 : Number(args[at + 1] ?? 0))
