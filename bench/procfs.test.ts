import { describe, expect, it } from 'bun:test'
import { coresByRole } from './load.ts'
import {
  coresBetween,
  machineBetween,
  parseCpuLine,
  parseStat,
  processTree,
  roleOf,
  sampleMachine,
  sampleProcess,
  type TreeSample,
} from './procfs.ts'

describe('parseStat', () => {
  it('reads pid, ppid and CPU seconds even when the name holds spaces and parentheses', () => {
    const line =
      '4242 (bun (worker) x) S 17 4242 17 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 100 1000 200'
    expect(parseStat(line)).toEqual({ pid: 4242, ppid: 17, cpuSeconds: 3 })
  })
  it('refuses garbage', () => {
    expect(parseStat('nonsense')).toBeNull()
  })
})

describe('parseCpuLine', () => {
  it('counts everything but idle and iowait as busy', () => {
    expect(parseCpuLine('cpu  100 0 50 800 10 0 40 0 0 0')).toEqual({ busy: 190, total: 1000 })
  })
})

describe('sampling this very process', () => {
  it('finds itself with CPU time and memory', () => {
    const s = sampleProcess(process.pid)!
    expect(s.pid).toBe(process.pid)
    expect(s.rssBytes).toBeGreaterThan(1024 * 1024)
    expect(processTree(process.pid)[0]).toBe(process.pid)
    const m = sampleMachine()
    expect(m.cpuByPid.has(process.pid)).toBe(true)
    expect(m.totalTicks).toBeGreaterThan(m.busyTicks)
  })
})

describe('coresBetween and machineBetween', () => {
  const tree = (at: number, perPid: Record<number, number>): TreeSample => ({
    at,
    pids: Object.keys(perPid).map(Number),
    cpuSeconds: 0,
    rssBytes: 0,
    perPid: Object.fromEntries(
      Object.entries(perPid).map(([p, cpu]) => [p, { cpuSeconds: cpu, rssBytes: 0 }]),
    ),
  })
  it('turns CPU seconds over wall seconds into cores, ignoring processes born in between', () => {
    const a = tree(0, { 1: 10, 2: 5 })
    const b = tree(2000, { 1: 12, 2: 6, 3: 100 })
    expect(coresBetween(a, b)).toBe(1.5)
  })
  it('separates the bench from everyone else', () => {
    const a = {
      at: 0,
      busyTicks: 0,
      totalTicks: 0,
      cpuByPid: new Map([
        [1, 1],
        [9, 2],
      ]),
    }
    const b = {
      at: 1000,
      busyTicks: 150,
      totalTicks: 200,
      cpuByPid: new Map([
        [1, 1.8],
        [9, 2.25],
        [10, 0.1],
      ]),
    }
    const load = machineBetween(a, b, new Set([1]))
    expect(load.busyCores).toBe(1.5)
    expect(load.othersCores).toBeCloseTo(0.35, 5)
  })
})

describe('roleOf', () => {
  it('names our processes by what they serve', () => {
    const bun = '/work/node_modules/bun/bin/bun.exe'
    expect(roleOf([bun, '/r/twinstack.ts', 'service', 'catalog', '--replica', '1'])).toBe('catalog')
    expect(roleOf(['bun', 'twinstack.ts', 'micro', '--quiet'])).toBe('gateway')
    expect(roleOf([bun, '/r/twinstack.ts', 'monolith-process', '--demo'])).toBe('monolith')
    expect(roleOf(['/dist/twinstack', 'service', 'orders'])).toBe('orders')
    expect(roleOf([bun, '/r/bench/targets/bare-split.ts', '--role=pricing'])).toBe('pricing')
    expect(roleOf([bun, '/r/bench/targets/product-page.ts'])).toBe('product-page')
    expect(roleOf(['nginx: worker process'])).toBe('nginx: worker process')
  })
})

describe('coresByRole', () => {
  it('sums the CPU of each role over the window, replicas together, newcomers left out', () => {
    const at = (t: number, cpu: Record<number, number>) => ({
      at: t,
      pids: Object.keys(cpu).map(Number),
      cpuSeconds: 0,
      rssBytes: 0,
      perPid: Object.fromEntries(
        Object.entries(cpu).map(([p, c]) => [p, { cpuSeconds: c, rssBytes: 0 }]),
      ),
    })
    const roles: Record<number, string> = { 1: 'gateway', 2: 'storefront', 3: 'storefront', 4: 'x' }
    const a = at(0, { 1: 1, 2: 1, 3: 2 })
    const b = at(2000, { 1: 2, 2: 2, 3: 3, 4: 9 })
    expect(coresByRole(a, b, (pid) => roles[pid] ?? null)).toEqual({ gateway: 0.5, storefront: 1 })
  })
})
