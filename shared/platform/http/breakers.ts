import { CircuitState } from 'cockatiel'

// BreakerView is one (caller, callee) breaker as /_/status shows it
export interface BreakerView {
  from: string
  to: string
  state: 'closed' | 'open' | 'half-open' | 'isolated'
  failures: number
  changedAt: string | null
}

const names: Record<CircuitState, BreakerView['state']> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
}

// BreakerBoard collects the breakers of one process and tells about their transitions
export class BreakerBoard {
  private readonly views = new Map<string, BreakerView>()
  private readonly listeners: ((view: BreakerView) => void)[] = []

  // track registers a breaker link; called once per (caller, callee)
  track(from: string, to: string): BreakerView {
    const key = `${from}->${to}`
    let view = this.views.get(key)
    if (!view) {
      view = { from, to, state: 'closed', failures: 0, changedAt: null }
      this.views.set(key, view)
    }
    return view
  }

  // transition records a state change and tells the listeners
  transition(view: BreakerView, state: CircuitState): void {
    view.state = names[state]
    view.changedAt = new Date().toISOString()
    if (view.state === 'closed') view.failures = 0
    for (const l of this.listeners) l(view)
  }

  // onTransition subscribes to breaker state changes (for logs and the dashboard)
  onTransition(listener: (view: BreakerView) => void): void {
    this.listeners.push(listener)
  }

  list(): BreakerView[] {
    return [...this.views.values()]
  }
}
