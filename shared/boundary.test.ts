import { describe, expect, it } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

// The boundary: modules talk through contracts only, the domain is pure, and only wiring
// knows about URLs, environment and transports.

const root = import.meta.dir
const modulesDir = join(root, 'modules')
const moduleNames = readdirSync(modulesDir)

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.test.ts'))
    .map((d) => join(d.parentPath, d.name))
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map(
    (m) => m[1]!,
  )

describe('Boundary', () => {
  it('has modules to check', () => {
    expect(moduleNames.length).toBeGreaterThanOrEqual(15)
  })

  it('keeps every module out of other modules', () => {
    const offences: string[] = []
    for (const name of moduleNames) {
      for (const file of sources(join(modulesDir, name))) {
        for (const spec of importsOf(file)) {
          if (!spec.startsWith('.')) continue
          const target = relative(modulesDir, resolve(dirname(file), spec))
          const [owner] = target.split('/')
          if (!target.startsWith('..') && owner !== name) {
            offences.push(`${relative(root, file)} imports ${spec}`)
          }
        }
      }
    }
    expect(offences).toEqual([])
  })

  it('keeps hono, drizzle and I/O out of the domain', () => {
    const offences = sources(join(root, 'domain')).flatMap((file) =>
      importsOf(file)
        .filter(
          (s) => /^(hono|drizzle-orm|bun:|node:fs|node:net)/.test(s) || s.includes('platform'),
        )
        .map((s) => `${relative(root, file)} imports ${s}`),
    )
    expect(offences).toEqual([])
  })

  it('keeps URLs, environment and transports out of modules, contracts and domain', () => {
    const offences: string[] = []
    for (const dir of ['modules', 'contracts', 'domain']) {
      for (const file of sources(join(root, dir))) {
        const text = readFileSync(file, 'utf8')
        if (/process\.env|Bun\.env/.test(text)) offences.push(`${relative(root, file)} reads env`)
        if (/https?:\/\/(?!twinstack\.dev)/.test(text))
          offences.push(`${relative(root, file)} names a URL`)
        for (const spec of importsOf(file)) {
          if (/bus\/(mitt|relay|sqlite-queue|nats)|^mitt$|^bun:sqlite$|^nats/.test(spec)) {
            offences.push(`${relative(root, file)} imports transport ${spec}`)
          }
        }
      }
    }
    expect(offences).toEqual([])
  })

  it('keeps Bun out of modules, contracts and domain (they run under Node too)', () => {
    const offences: string[] = []
    for (const dir of ['modules', 'contracts', 'domain']) {
      for (const file of sources(join(root, dir))) {
        for (const use of bunUses(readFileSync(file, 'utf8'))) {
          offences.push(`${relative(root, file)} ${use}`)
        }
      }
    }
    expect(offences).toEqual([])
  })

  it('notices every way a file can use Bun', () => {
    const code = [
      "import { Database } from 'bun:sqlite'",
      "import type { RedisClient } from 'bun'",
      "const m = await import('bun')",
      '// Bun.password in a comment is fine',
      'export const h = (p: string) => Bun.password.hash(p)',
      'const here = import.meta.dir',
    ].join('\n')
    expect(bunUses(code)).toEqual([
      'uses Bun.',
      "uses Bun's import.meta.dir",
      'imports bun:sqlite',
      'imports bun',
      'imports bun',
    ])
    expect(bunUses("import { scrypt } from 'node:crypto'\nconst d = import.meta.dirname")).toEqual(
      [],
    )
  })
})

// bunUses lists what in a source text ties it to Bun: the Bun global, Bun's own import.meta
// members, and imports (static, type-only or dynamic) of bun or bun:*; comments are ignored
function bunUses(text: string): string[] {
  const code = text.replace(/^\s*\/\/.*$/gm, '')
  const uses: string[] = []
  if (/\bBun\s*\./.test(code)) uses.push('uses Bun.')
  const meta = /import\.meta\.(dir|path|main|file)\b/.exec(code)
  if (meta) uses.push(`uses Bun's import.meta.${meta[1]}`)
  const specs = code.matchAll(
    /\b(?:import|export)[^'"]*?from\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g,
  )
  for (const m of specs) {
    const spec = (m[1] ?? m[2])!
    if (/^bun(:|$)/.test(spec)) uses.push(`imports ${spec}`)
  }
  return uses
}
