// ResilienceConfig holds every threshold of remote calls in one place (the guide's rule)
export const resilience = {
  // a remote call that takes longer than this fails (and counts against the breaker)
  timeoutMs: 2000,
  // consecutive failures that open a breaker
  breakerFailures: 5,
  // how long an open breaker waits before letting one trial call through
  halfOpenAfterMs: 1000,
  // attempts for idempotent calls (GET/HEAD) only
  retryAttempts: 2,
  retryInitialDelayMs: 20,
  retryMaxDelayMs: 200,
  // sockets one process may keep to its upstreams: Bun's fetch keeps at most 64 idle sockets
  // per process and closes the rest, so wiring splits this budget over the upstream hosts and
  // bounds each link's calls in flight by its share (the rest queue); connections are then reused
  socketBudget: 60,
  maxQueuedPerLink: 1024,
  // a product-page part that takes longer than this is left out and named in `degraded`
  aggregatePartDeadlineMs: 300,
  // the gateway's budget for a checkout or a cancellation, under Bun's 10 s idle timeout: its
  // chain (pricing, the branch, capture, commit: each hop at most timeoutMs) fits inside, and
  // is passed down as X-Deadline-Ms so no hop waits longer than its caller does
  checkoutBudgetMs: 8_000,
} as const

// messaging holds the retry policy of consumers before an event is dead-lettered
export const messaging = {
  maxAttempts: 5,
  baseDelayMs: 50,
} as const
