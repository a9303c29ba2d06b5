import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseVerifyArgs, type VerifyResult } from './verify.ts'

const dir = mkdtempSync(join(tmpdir(), 'twinstack-verify-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// verify runs `npm run verify` as a user would and reads the JSON it wrote
async function verify(
  deployment: string,
): Promise<{ code: number; out: string; result: VerifyResult }> {
  const json = join(dir, `${deployment}.json`)
  const proc = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, 'verify.ts'),
      '--deployment',
      deployment,
      '--duration',
      '20',
      '--kill-every',
      '3',
      '--seed',
      '1',
      '--json',
      json,
    ],
    { stdout: 'pipe', stderr: 'pipe' },
  )
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ])
  const code = await proc.exited
  if (code === 2) throw new Error(`verify could not run:\n${err}`)
  return { code, out, result: JSON.parse(readFileSync(json, 'utf8')) as VerifyResult }
}

describe('npm run verify', () => {
  // both deployments are verified at once: each run has its own free ports and data directory,
  // and most of a run is waiting (clients on the network, kills, restarts, the drain), so the
  // two together take little more than one (each run's thresholds are unchanged)
  const runs = new Map<string, ReturnType<typeof verify>>()
  beforeAll(() => {
    for (const deployment of ['monolith', 'micro']) {
      const run = verify(deployment)
      // its test awaits it and reports a failure; this only keeps the rejection handled meanwhile
      run.catch(() => {})
      runs.set(deployment, run)
    }
  })

  for (const deployment of ['monolith', 'micro']) {
    it(`finds no violation on the ${deployment} through 20 s of checkouts and kills`, async () => {
      const { code, out, result } = await runs.get(deployment)!
      // the run did what it says: checkouts were acknowledged while processes died
      expect(result.counts.acked).toBeGreaterThan(50)
      expect(result.counts.kills).toBeGreaterThanOrEqual(5)
      expect(result.invariants.length).toBeGreaterThan(10)
      expect({ violations: result.violations, out }).toEqual({ violations: 0, out })
      expect(code).toBe(0)
    }, 180_000)
  }
})

describe('parseVerifyArgs', () => {
  it('reads the options of the issue, with defaults', () => {
    expect(
      parseVerifyArgs([
        '--deployment',
        'micro',
        '--duration',
        '60',
        '--kill-every',
        '3',
        '--seed',
        '2',
      ]),
    ).toMatchObject({ deployment: 'micro', durationS: 60, killEveryS: 3, seed: 2, clients: 10 })
    expect(parseVerifyArgs([])).toMatchObject({ deployment: 'monolith', durationS: 60, seed: 1 })
  })

  it('refuses an unknown deployment, a bad number and an unknown option', () => {
    expect(() => parseVerifyArgs(['--deployment', 'cloud'])).toThrow('micro or monolith')
    expect(() => parseVerifyArgs(['--duration', 'soon'])).toThrow('--duration')
    expect(() => parseVerifyArgs(['--kill-every', '0'])).toThrow('--kill-every')
    expect(() => parseVerifyArgs(['--nope'])).toThrow()
  })
})
