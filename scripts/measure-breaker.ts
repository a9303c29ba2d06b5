export {}

// Measures, on a running micro deployment (npm run micro -- --no-restart), how fast the
// checkout -> payments breaker reacts: kill payments while checkouts flow every 20 ms, time
// until the breaker is open, the latency of calls that meet the open breaker, then start
// payments and time until the breaker is closed. `bun scripts/measure-breaker.ts [url]`
const url = process.argv[2] ?? 'http://127.0.0.1:4000'
const json = { 'Content-Type': 'application/json' }
const login = async (email: string, password: string) =>
  (
    (await (
      await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email, password }),
      })
    ).json()) as { token: string }
  ).token
const admin = await login('admin@twinstack.dev', 'admin-password')
const user = await login('demo11@twinstack.dev', 'demo-password')
const breaker = async () => {
  // /_/status needs an admin token (unless the deployment runs with --open-ops)
  const s = (await (
    await fetch(`${url}/_/status`, { headers: { Authorization: `Bearer ${admin}` } })
  ).json()) as {
    breakers: { from: string; to: string; state: string }[]
  }
  return s.breakers.find((b) => b.from === 'orders' && b.to === 'payments')?.state ?? 'closed'
}
let n = 0
const checkout = async () => {
  const t = performance.now()
  const res = await fetch(`${url}/api/checkout`, {
    method: 'POST',
    headers: { ...json, Authorization: `Bearer ${user}` },
    body: JSON.stringify({
      items: [{ productId: `p-${String(101 + (n++ % 40)).padStart(4, '0')}`, quantity: 1 }],
      card: { number: '4242424242424242', expiry: '12/39', cvc: '123' },
    }),
  })
  const body = await res.text()
  return {
    status: res.status,
    ms: performance.now() - t,
    open: body.includes('payments is unavailable (circuit open)'),
  }
}
const control = (action: string) =>
  fetch(`${url}/_/control/${action}/payments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${admin}` },
  })

const killedAt = performance.now()
await control('kill')
let openAt = 0
while (!openAt) {
  const r = await checkout()
  if (r.open) openAt = performance.now()
  else await Bun.sleep(20)
}
const fast: number[] = []
for (let i = 0; i < 200; i++) {
  const r = await checkout()
  if (r.open) fast.push(r.ms)
}
fast.sort((a, b) => a - b)
const startAt = performance.now()
await control('start')
const upAt = performance.now()
let closedAt = 0
while (!closedAt) {
  await checkout()
  if ((await breaker()) === 'closed') closedAt = performance.now()
  else await Bun.sleep(20)
}
const p = (q: number) => fast[Math.min(fast.length - 1, Math.floor(q * fast.length))]!.toFixed(1)
console.log(
  JSON.stringify(
    {
      killToOpenMs: Math.round(openAt - killedAt),
      openBreakerCalls: fast.length,
      openBreakerP50Ms: p(0.5),
      openBreakerP99Ms: p(0.99),
      startCommandMs: Math.round(upAt - startAt),
      serviceUpToClosedMs: Math.round(closedAt - upAt),
      startToClosedMs: Math.round(closedAt - startAt),
    },
    null,
    2,
  ),
)
