import type { Subprocess } from 'bun'

// freePort asks the kernel for a free loopback port
export function freePort(): number {
  const s = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = s.port!
  s.stop(true)
  return port
}

// Started is a child process under test, reachable at url, always stopped by its pid
export interface Started {
  proc: Subprocess
  url: string
  output(): string
  stop(): Promise<void>
  kill(): Promise<void>
}

// startProcess spawns a command bound to loopback and waits until url/_/health answers
export async function startProcess(
  cmd: string[],
  opts: { env: Record<string, string>; url: string; waitMs?: number },
): Promise<Started> {
  let out = ''
  const proc = Bun.spawn(cmd, {
    env: { ...process.env, ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader()
    const decoder = new TextDecoder()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      out += decoder.decode(value)
    }
  }
  void collect(proc.stdout as ReadableStream<Uint8Array>)
  void collect(proc.stderr as ReadableStream<Uint8Array>)
  const started: Started = {
    proc,
    url: opts.url,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode) return
      process.kill(proc.pid, 'SIGTERM')
      const done = await Promise.race([
        proc.exited.then(() => true),
        Bun.sleep(5000).then(() => false),
      ])
      if (!done) process.kill(proc.pid, 'SIGKILL')
      await proc.exited
    },
    async kill() {
      if (proc.exitCode === null && !proc.signalCode) process.kill(proc.pid, 'SIGKILL')
      await proc.exited
    },
  }
  const deadline = Date.now() + (opts.waitMs ?? 30_000)
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`process exited early:\n${out}`)
    try {
      const res = await fetch(`${opts.url}/_/health`)
      if (res.ok) return started
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await started.kill()
      throw new Error(`process did not become healthy:\n${out}`)
    }
    await Bun.sleep(50)
  }
}

// portsFree tells whether every port of a list can be bound on loopback right now
export function portsFree(ports: number[]): boolean {
  for (const port of ports) {
    try {
      Bun.serve({ hostname: '127.0.0.1', port, fetch: () => new Response() }).stop(true)
    } catch {
      return false
    }
  }
  return true
}

// alive tells whether a process id still exists
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
