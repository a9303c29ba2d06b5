import { maxRssMiB, watchRss, withoutMaxRss } from '../shared/platform/rss.ts'
import { allocatorEnv } from '../shared/platform/runtime.ts'
import { selfCommand } from '../shared/platform/self.ts'

// runKeeper runs the monolith as a child and restarts it when it dies (as systemd or a
// container runtime would), so a crash is visible as downtime rather than the end of the demo;
// `--no-restart` keeps it down after a crash; `--max-rss <MiB>` (or TWINSTACK_MAX_RSS_MB)
// SIGKILLs it when its resident memory goes over that, as a container's memory limit would
export async function runKeeper(argv: string[]): Promise<void> {
  const restart = !argv.includes('--no-restart')
  let limit: number | null
  try {
    limit = maxRssMiB(argv)
  } catch (error) {
    console.error(`twinstack monolith refuses to start: ${(error as Error).message}`)
    process.exit(2)
  }
  const args = withoutMaxRss(argv).filter((a) => a !== '--no-restart')
  let overLimit = ''
  let restarts = 0
  let lastExit = ''
  let child: ReturnType<typeof Bun.spawn> | null = null
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    stopping = true
    child?.kill(signal)
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGTERM'))
  if (limit !== null) {
    const max = limit
    watchRss(
      () => (child && child.exitCode === null && !child.killed ? [child.pid] : []),
      max,
      (_pid, rss) => {
        overLimit = `rss ${Math.round(rss)} MiB over limit ${max} MiB`
        console.error(`[keeper] killed: ${overLimit}`)
        child?.kill('SIGKILL')
      },
    )
  }
  for (;;) {
    const started = Date.now()
    child = Bun.spawn(selfCommand('monolith-process', ...args), {
      env: {
        ...process.env,
        ...allocatorEnv(),
        TWINSTACK_KEEPER: '1',
        TWINSTACK_RESTARTS: String(restarts),
        TWINSTACK_LAST_EXIT: lastExit,
      },
      stdout: 'inherit',
      stderr: 'inherit',
    })
    await child.exited
    // only a first start may reset; a restart keeps the data it crashed with
    const reset = args.indexOf('--reset')
    if (reset >= 0) args.splice(reset, 1)
    const how = child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`
    if (stopping || (child.exitCode === 0 && !child.signalCode)) process.exit(0)
    lastExit = `${how}${overLimit ? `, ${overLimit}` : ''} at ${new Date().toISOString()}`
    overLimit = ''
    console.error(`[keeper] monolith exited (${how})${restart ? ', restarting' : ''}`)
    if (!restart) process.exit(1)
    restarts++
    // back off when it keeps dying right after start
    if (Date.now() - started < 2000)
      await Bun.sleep(Math.min(5000, 250 * 2 ** Math.min(restarts, 4)))
  }
}
