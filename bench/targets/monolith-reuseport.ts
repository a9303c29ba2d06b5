// The monolith bound with SO_REUSEPORT, so several monolith processes can share one port and
// the kernel spreads connections over them (scenario 5's "monolith ×2", and rolling restarts).
// monolith/main.ts has no such option yet: this wraps Bun.serve before starting it unchanged.
import { runMonolith } from '../../monolith/main.ts'

const serve = Bun.serve
// Bun.serve's options are forwarded untouched, only reusePort is added
;(Bun as any).serve = (options: any) => serve({ ...options, reusePort: true })

await runMonolith(process.argv.slice(2))
