import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

// rssMiB reads a process's resident memory (VmRSS of /proc/<pid>/status) in MiB, or null when
// the process is gone or the system has no /proc
export function rssMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
    return kb === undefined ? null : Number(kb) / 1024
  } catch {
    return null
  }
}

// maxRssMiB reads the memory limit of the processes a deployment runs: --max-rss <MiB> (or
// --max-rss=<MiB>), else TWINSTACK_MAX_RSS_MB; null means no limit
export function maxRssMiB(argv: string[], env: Record<string, string | undefined> = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: { 'max-rss': { type: 'string' } },
    strict: false,
    allowPositionals: true,
  })
  const given = values['max-rss'] ?? env.TWINSTACK_MAX_RSS_MB
  if (given === undefined || given === '') return null
  const mib = Number(given)
  if (typeof given !== 'string' || !Number.isFinite(mib) || mib <= 0) {
    throw new Error(`--max-rss must be a positive number of MiB (got ${String(given)})`)
  }
  return mib
}

// withoutMaxRss drops --max-rss and its value from argv (for a child that does not know it)
export function withoutMaxRss(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--max-rss') i++
    else if (!argv[i]!.startsWith('--max-rss=')) out.push(argv[i]!)
  }
  return out
}

// watchRss checks the processes pids() lists every everyMs and calls over() for each one whose
// resident memory is above limitMiB (the caller kills it); answers a function that stops it
export function watchRss(
  pids: () => number[],
  limitMiB: number,
  over: (pid: number, rss: number) => void,
  everyMs = 250,
): () => void {
  const timer = setInterval(() => {
    for (const pid of pids()) {
      const rss = rssMiB(pid)
      if (rss !== null && rss > limitMiB) over(pid, rss)
    }
  }, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
