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
  // a product-page part that takes longer than this is left out and named in `degraded`
  aggregatePartDeadlineMs: 300,
} as const

// messaging holds the retry policy of consumers before an event is dead-lettered
export const messaging = {
  maxAttempts: 5,
  baseDelayMs: 50,
} as const
