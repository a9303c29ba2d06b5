import { describe, expect, it } from 'bun:test'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { layoutArg } from './main.ts'

// The layouts running: micro/layouts.test.ts (each named layout and a custom one with a Node
// group, through the API suite and the failure tests). Here: reading and refusing layouts.
const entry = join(import.meta.dir, '..', 'twinstack.ts')

describe('layoutArg', () => {
  it('reads --layout <x> and --layout=<x>, and an empty value when it is missing', () => {
    expect(layoutArg(['--demo', '--layout', 'by-domain'])).toBe('by-domain')
    expect(layoutArg(['--layout=a+b,node:c'])).toBe('a+b,node:c')
    expect(layoutArg(['--layout', '--demo'])).toBe('')
    expect(layoutArg(['--demo'])).toBeUndefined()
  })
})

describe('twinstack micro --layout', () => {
  it('refuses a bad layout with the reason, before starting (or resetting) anything', async () => {
    const root = mkdtempSync(join(tmpdir(), 'twinstack-layout-bad-'))
    const dataDir = join(root, 'data')
    mkdirSync(dataDir)
    writeFileSync(join(dataDir, 'keep.txt'), 'not reset')
    try {
      const proc = Bun.spawn(
        [
          process.execPath,
          entry,
          'micro',
          '--demo',
          '--reset',
          '--layout',
          'storefront+catalog,nope',
        ],
        {
          env: { ...process.env, TWINSTACK_DATA: dataDir, TWINSTACK_PORT_BASE: '1' },
          stdout: 'pipe',
          stderr: 'pipe',
        },
      )
      const code = await proc.exited
      const err = await new Response(proc.stderr).text()
      expect(code).not.toBe(0)
      expect(err).toContain('refuses to start')
      expect(err).toContain('unknown module "nope"')
      // nothing was touched: the data dir as it was, no secrets, no database
      expect(readdirSync(dataDir)).toEqual(['keep.txt'])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
