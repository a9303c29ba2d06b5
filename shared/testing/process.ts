import { readFileSync } from 'node:fs'
import type { Subprocess } from 'bun'

// freePort finds a free loopback port for one server, below the ports of outgoing connections
// (see ephemeralLow) and the blocks micro starts take
export function freePort(): number {
  return freeBlock(10_000, 20_000, (base) => [base + Math.floor(Math.random() * 10)])
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

// ephemeralLow is where the kernel's range of ports for outgoing connections starts. A port in it
// can be taken by any process's next connection between the check that found it free and the
// bind (a whole micro start lost a port that way in CI), so fixed blocks are picked below it.
export function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    )
    return Number.isInteger(low) && low > 1024 ? low : 32_768
  } catch {
    return 32_768
  }
}

// freeBlock finds a base port in [from, to) (steps of 10) whose every port (portsOf(base)) is
// free on loopback, staying below the ephemeral range
export function freeBlock(from: number, to: number, portsOf: (base: number) => number[]): number {
  const slots = Math.floor((to - from) / 10)
  const low = ephemeralLow()
  for (let attempt = 0; attempt < 500; attempt++) {
    const base = from + Math.floor(Math.random() * slots) * 10
    const ports = portsOf(base)
    if (ports.every((p) => p < low) && portsFree(ports)) return base
  }
  throw new Error(`no free block of loopback ports between ${from} and ${to}`)
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
