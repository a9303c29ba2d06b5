import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOptions, SCENARIOS } from './options.ts'
import { deploymentsCovered, type Results } from './results.ts'
import { runBench } from './run.ts'
import { htmlProblems, markdownProblems } from './validate.ts'

// What CI asserts of `npm run bench -- --quick` on a tiny duration: every scenario produced
// figures for both deployments and the report files are well formed. Never a speed threshold.
// It runs the whole quick bench (about two minutes), so it is not part of `npm test` (kept
// under five minutes): `npm run test:bench` runs it, and CI runs both

describe('npm run bench -- --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'twinstack-bench-ci-'))
  afterAll(() => rmSync(out, { recursive: true, force: true }))
  let log = ''
  let dir = ''
  let results: Results | undefined

  it('runs every scenario on both deployments', async () => {
    const options = { ...parseOptions(['--quick', '--duration', '0.5', '--out', out]), plain: true }
    const run = await runBench(options, ['--quick', '--duration', '0.5'], (t) => {
      log += t
    })
    dir = run.dir
    results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results
    if (results.errors.length) console.error(log)
    expect(results.errors).toEqual([])
    const covered = deploymentsCovered(results)
    expect(Object.keys(covered).sort()).toEqual([...SCENARIOS].sort())
    for (const [scenario, deployments] of Object.entries(covered)) {
      expect({ scenario, deployments }).toEqual({
        scenario,
        deployments: expect.arrayContaining(['monolith', 'micro']),
      })
    }
    // the crash checker ran on both deployments, killed processes and found nothing
    for (const run of results.scenarios['crash-safety']!.runs) {
      expect({ deployment: run.deployment, error: run.error }).toEqual({
        deployment: run.deployment,
        error: undefined,
      })
      expect(run.result!.counts.acked).toBeGreaterThan(0)
      expect(run.result!.counts.kills).toBeGreaterThan(0)
      expect({ deployment: run.deployment, violations: run.result!.violations }).toEqual({
        deployment: run.deployment,
        violations: 0,
      })
    }
  }, 240_000)

  it('measured the load generator and the servers on every closed-loop run', () => {
    const s = results!.scenarios
    const runs = [...s.limits!.runs, ...s.endpoints!.runs, ...s.scaling!.runs]
    expect(runs.length).toBeGreaterThan(0)
    for (const r of runs) {
      expect(r.generatorCores).not.toBeNull()
      expect(r.serverCores).not.toBeNull()
      expect(r.requests).toBeGreaterThan(0)
    }
    expect(s.failure!.runs.every((r) => r.messages.lost === 0 && r.messages.duplicated === 0)).toBe(
      true,
    )
  })

  it('met an open breaker on the microservices: reviews stopped, every answer as the breaker gives it', () => {
    const o = results!.scenarios.limits!.openBreaker
    expect(o).toBeTruthy()
    expect(o!.openAfterMs).not.toBeNull()
    expect(o!.probes.length).toBe(2)
    for (const p of o!.probes) {
      expect({ endpoint: p.endpoint, expected: p.expected }).toEqual({
        endpoint: p.endpoint,
        expected: p.samples,
      })
      expect(p.p99Ms).not.toBeNull()
    }
  })

  it('wrote a well-formed report.md and a self-contained report.html', () => {
    expect(markdownProblems(readFileSync(join(dir, 'report.md'), 'utf8'))).toEqual([])
    expect(htmlProblems(readFileSync(join(dir, 'report.html'), 'utf8'))).toEqual([])
  })
})
