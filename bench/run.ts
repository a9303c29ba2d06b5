// `npm run bench` (bun bench/run.ts): runs both deployments through the scenarios and writes
// bench/results/<timestamp>/{results.json, report.md, report.html}
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { stopEverything } from './deploy.ts'
import { commitInfo, machineInfo, versions } from './machine.ts'
import { type BenchOptions, parseOptions, type ScenarioName } from './options.ts'
import { estimateSeconds, settings } from './plan.ts'
import { profileUnderLoad } from './profile.ts'
import { Progress } from './progress.ts'
import { writeHtmlReport } from './report-html.ts'
import { writeMarkdownReport } from './report-md.ts'
import type { Results } from './results.ts'
import { forgetCalibration } from './scenarios/calibrate.ts'
import { type BenchContext, machineCores } from './scenarios/common.ts'
import { crashScenario } from './scenarios/crash.ts'
import { deploymentScenario } from './scenarios/deployment.ts'
import { endpointsScenario } from './scenarios/endpoints.ts'
import { failureScenario } from './scenarios/failure.ts'
import { faultClassesScenario } from './scenarios/fault-classes.ts'
import { footprintScenario } from './scenarios/footprint.ts'
import { layoutsScenario } from './scenarios/layouts.ts'
import { limitsScenario } from './scenarios/limits.ts'
import { scalingScenario } from './scenarios/scaling.ts'

const TITLES: Record<ScenarioName, string> = {
  limits: '1 Limits: what this machine can do',
  endpoints: '2 Endpoints',
  failure: '3 Failure isolation',
  deployment: '4 Deployment under load',
  scaling: '5 Scaling the hot read path',
  footprint: '6 Footprint',
  'crash-safety': '7 Crash safety: the invariant checker under SIGKILL',
  'fault-classes': '8 Fault classes: what each kind of fault takes down',
  layouts: '9 Layouts: one codebase, several process layouts',
}

// timestamp names a results directory (sortable, no colons)
export const timestamp = (d = new Date()) =>
  d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-')

// runBench runs the chosen scenarios and writes the three result files; returns their directory
export async function runBench(
  options: BenchOptions,
  argv: string[] = [],
  write = (text: string) => void process.stderr.write(text),
): Promise<{ dir: string; results: Results }> {
  const s = settings(options)
  // each run measures the machine afresh
  forgetCalibration()
  const estimates = estimateSeconds(s)
  const chosen = Object.fromEntries(options.scenarios.map((n) => [n, estimates[n]]))
  const progress = new Progress(options.plain, chosen, write)
  const started = new Date()
  const dir = join(options.outDir, timestamp(started))
  mkdirSync(dir, { recursive: true })
  const workDir = mkdtempSync(join(tmpdir(), 'twinstack-bench-'))
  const ctx: BenchContext = {
    options,
    settings: s,
    progress,
    workDir,
    machineCores: machineCores(),
  }
  const total = Object.values(chosen).reduce((a, b) => a + b, 0)
  write(
    `twinstack bench: ${options.scenarios.join(', ')} with ${options.tool}, ` +
      `${options.durationS} s runs × ${options.repeats}, ${options.connections} connections ` +
      `(about ${Math.ceil(total / 60)} min)\nresults in ${relative(process.cwd(), dir) || dir}\n`,
  )
  const results: Results = {
    schema: 1,
    startedAt: started.toISOString(),
    finishedAt: '',
    elapsedS: 0,
    command: ['npm run bench --', ...argv].join(' ').replace(/ --$/, ''),
    options,
    machine: machineInfo(),
    versions: versions(),
    commit: commitInfo(),
    scenarios: {},
    errors: [],
  }
  const scenarios: Record<ScenarioName, () => Promise<unknown>> = {
    limits: async () => {
      results.scenarios.limits = await limitsScenario(ctx)
    },
    endpoints: async () => {
      results.scenarios.endpoints = await endpointsScenario(ctx)
    },
    failure: async () => {
      results.scenarios.failure = await failureScenario(ctx)
    },
    deployment: async () => {
      results.scenarios.deployment = await deploymentScenario(ctx)
    },
    scaling: async () => {
      results.scenarios.scaling = await scalingScenario(ctx)
    },
    footprint: async () => {
      results.scenarios.footprint = await footprintScenario(ctx)
    },
    'fault-classes': async () => {
      results.scenarios['fault-classes'] = await faultClassesScenario(ctx)
    },
    'crash-safety': async () => {
      const crash = await crashScenario(ctx)
      results.scenarios['crash-safety'] = crash
      // a checker that could not run is a bench error; a violation it found is a finding
      for (const r of crash.runs)
        if (r.error)
          results.errors.push({ scenario: `crash-safety ${r.deployment}`, message: r.error })
    },
    layouts: async () => {
      results.scenarios.layouts = await layoutsScenario(ctx)
    },
  }
  try {
    if (options.profile) {
      try {
        results.profile = await profileUnderLoad(ctx, options.profile, dir)
        if (results.profile.error)
          results.errors.push({ scenario: 'profile', message: results.profile.error })
      } catch (error) {
        results.errors.push({
          scenario: 'profile',
          message: (error as Error).stack ?? String(error),
        })
      } finally {
        await stopEverything()
      }
    }
    for (const name of options.scenarios) {
      progress.scenario(name, TITLES[name])
      const t0 = performance.now()
      try {
        await scenarios[name]()
      } catch (error) {
        const message = (error as Error).stack ?? String(error)
        results.errors.push({ scenario: name, message })
        progress.note(`${name} failed: ${message.split('\n').slice(0, 6).join('\n    ')}`)
      } finally {
        // whatever a scenario left running ends with it
        await stopEverything()
        progress.finished(`${name} took ${Math.round((performance.now() - t0) / 1000)} s`)
      }
    }
  } finally {
    await stopEverything()
    rmSync(workDir, { recursive: true, force: true })
  }
  results.finishedAt = new Date().toISOString()
  results.elapsedS = progress.total()
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(join(dir, 'report.md'), writeMarkdownReport(results))
  writeFileSync(join(dir, 'report.html'), writeHtmlReport(results))
  write(
    `\ndone in ${Math.round(results.elapsedS)} s: ${join(dir, 'report.md')}\n` +
      `                 ${join(dir, 'report.html')}\n`,
  )
  return { dir, results }
}

if (import.meta.main) {
  const argv = process.argv.slice(2)
  let options: BenchOptions
  try {
    options = parseOptions(argv)
  } catch (error) {
    console.error((error as Error).message)
    process.exit(2)
  }
  // Ctrl-C and SIGTERM stop every process the bench started before leaving
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: stopping every process the bench started\n`)
      void stopEverything().finally(() => process.exit(130))
    })
  }
  const { results } = await runBench(options, argv)
  process.exit(results.errors.length ? 1 : 0)
}
