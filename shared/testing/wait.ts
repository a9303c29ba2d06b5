// eventually retries an assertion until it passes or the bounded wait is over (for async effects)
export async function eventually<T>(fn: () => Promise<T>, waitMs = 10_000): Promise<T> {
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      return await fn()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await Bun.sleep(100)
    }
  }
}
