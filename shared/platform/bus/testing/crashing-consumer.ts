// A consumer process for the queue tests: it handles the `payments` topic as group `g`,
// appending each event id to a file, and dies by SIGKILL on an event of type Poison, as a
// consumer does whose handler takes the process down (segfault, out of memory)
//   bun crashing-consumer.ts <queue file> <out file> <maxAttempts> <leaseMs>
import { appendFileSync } from 'node:fs'
import { sqliteQueue } from '../sqlite-queue.ts'

const [path, out, maxAttempts, leaseMs] = process.argv.slice(2)
const queue = sqliteQueue(path!, {
  retry: { maxAttempts: Number(maxAttempts), baseDelayMs: 1 },
  leaseMs: Number(leaseMs),
  pollMs: 5,
})
queue.subscribe({
  topic: 'payments',
  group: 'g',
  handle: (event) => {
    if (event.type === 'Poison') process.kill(process.pid, 'SIGKILL')
    appendFileSync(out!, `${event.id}\n`)
  },
})
