// Progress shows where a bench run is: the scenario, the step, live figures, elapsed time and
// an estimate of what is left. On a terminal the last line updates in place; otherwise (CI,
// pipes, --plain) it prints one line per finished step.

// clock formats seconds as m:ss
export const clock = (s: number) => {
  const t = Math.max(0, Math.round(s))
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`
}

// Progress is the bench's progress display on stderr
export class Progress {
  private readonly t0 = performance.now()
  private scenarioLabel = ''
  private scenarioStarted = 0
  private scenarioEstimate = 0
  private done = 0
  private step = ''
  private live = false

  constructor(
    private readonly plain: boolean,
    private readonly estimates: Record<string, number>,
    private readonly write: (s: string) => void = (s) => void process.stderr.write(s),
  ) {}

  private elapsed = () => (performance.now() - this.t0) / 1000

  private remaining(): number {
    const inScenario = (performance.now() - this.scenarioStarted) / 1000
    const current = Math.max(0, this.scenarioEstimate - inScenario)
    const later = Object.values(this.estimates).reduce((a, b) => a + b, 0) - this.done
    return current + Math.max(0, later - this.scenarioEstimate)
  }

  private prefix = () =>
    `[${clock(this.elapsed())} elapsed, ~${clock(this.remaining())} left] ${this.scenarioLabel}`

  // scenario announces the next scenario
  scenario(name: string, label: string): void {
    if (this.scenarioLabel) this.done += this.scenarioEstimate
    this.scenarioLabel = label
    this.scenarioStarted = performance.now()
    this.scenarioEstimate = this.estimates[name] ?? 0
    this.clear()
    this.write(`\n== ${label}\n`)
  }

  // begin names the step now running
  begin(step: string): void {
    this.step = step
    this.tick('')
  }

  // tick updates the live line with figures from the running step
  tick(text: string): void {
    if (this.plain) return
    this.live = true
    const line = `${this.prefix()} › ${this.step} ${text}`
    const width = process.stderr.columns ?? 120
    this.write(`\r\x1b[K${line.slice(0, width - 1)}`)
  }

  private clear(): void {
    if (this.live) this.write('\r\x1b[K')
    this.live = false
  }

  // end prints the step's outcome on its own line
  end(text: string): void {
    this.clear()
    this.write(`  ${this.step.padEnd(44)} ${text}\n`)
  }

  // note prints a remark (a flag, a fallback, a skipped part)
  note(text: string): void {
    this.clear()
    this.write(`  ! ${text}\n`)
  }

  // finished closes a scenario
  finished(text: string): void {
    this.clear()
    this.write(`  (${text})\n`)
  }

  // total is the run's wall time so far, in seconds
  total = () => this.elapsed()
}
