import { describe, expect, it } from 'bun:test'
import { run } from './fixture.ts'
import { nginxConfig } from './nginx.ts'
import { hotFunctions, parseProfileTarget } from './profile.ts'
import { verdict } from './report-model.ts'
import { limitRatio, saturatedSteady } from './results.ts'
import { mixedTemplates, pacedRate } from './scenarios/calibrate.ts'

const pair = (repeat: number, subject: number, limit: number) => [
  run('limits', 'product page', 'monolith', subject, 1, { repeat }),
  run('limits', 'product page', 'reference', limit, 1, { repeat }),
]
const spec = {
  id: 'x',
  label: 'monolith ÷ reference',
  cell: 'product page',
  subject: 'monolith',
  limit: 'reference',
  target: { throughput: 0.7 },
}

describe('limitRatio', () => {
  it('divides the medians and keeps the range of the repeat-by-repeat ratios', () => {
    const runs = [...pair(0, 700, 1000), ...pair(1, 900, 1000), ...pair(2, 800, 2000)]
    const l = limitRatio(runs, spec)
    expect(l.measured).toBe(true)
    expect(l.repeats).toBe(3)
    expect(l.throughput).toBeCloseTo(0.8, 6)
    expect(l.throughputRange![0]).toBeCloseTo(0.4, 6)
    expect(l.throughputRange![1]).toBeCloseTo(0.9, 6)
    expect(verdict(l)).toBe('met')
    expect(verdict({ ...l, throughput: 0.5 })).toBe('not met')
  })

  it('says "not measured" when the limit has no runs, never a figure', () => {
    const l = limitRatio([run('limits', 'product page', 'monolith', 700, 1)], spec)
    expect(l.measured).toBe(false)
    expect(l.throughput).toBeNull()
    expect(verdict(l)).toBe('not measured')
  })

  it('draws no verdict from a run the generator limited', () => {
    const runs = [
      run('limits', 'product page', 'monolith', 900, 1, { flags: ['generator-bound'] }),
      run('limits', 'product page', 'reference', 1000, 1),
    ]
    expect(verdict(limitRatio(runs, spec))).toBe('no verdict (generator-bound)')
  })
})

describe('paced calibration', () => {
  it('offers the stated share of the weaker capacity, spread over the endpoints', () => {
    expect(pacedRate([1200, 600], 0.5, 6)).toBe(50)
    expect(pacedRate([null, 600], 0.5, 6)).toBe(50)
    expect(pacedRate([null, null], 0.5, 6)).toBeNull()
    expect(pacedRate([4], 0.5, 6)).toBe(1)
  })

  it('interleaves the endpoints so a closed loop sends the paced mix', () => {
    const t = (p: string) => ({ method: 'GET' as const, path: p })
    expect(mixedTemplates([[t('a1'), t('a2')], [t('b1')]]).map((x) => x.path)).toEqual([
      'a1',
      'b1',
      'a2',
      'b1',
    ])
  })

  it('calls a run saturated when it could not serve the steady load', () => {
    const ok: [number, number, number] = [10, 5, 200]
    const failed: [number, number, number] = [20, 3000, 0]
    const steady = { from: 0, to: 1000 }
    expect(saturatedSteady([{ records: [ok, ok, ok] }], steady, [])).toBe(false)
    expect(saturatedSteady([{ records: [ok, failed] }], steady, [])).toBe(true)
    // failures after the steady window are the fault's, not saturation
    expect(saturatedSteady([{ records: [ok, [2000, 5, 503]] }], steady, [])).toBe(false)
    expect(saturatedSteady([{ records: [ok] }], steady, ['cpu-saturated'])).toBe(true)
    expect(saturatedSteady([{ records: [ok] }], steady, ['cpu-saturated', 'background-load'])).toBe(
      false,
    )
  })
})

describe('nginxConfig', () => {
  it('proxies to one upstream with one worker, a keep-alive pool of 64 and the added header', () => {
    const conf = nginxConfig({
      dir: '/tmp/x',
      port: 4567,
      upstream: 'http://127.0.0.1:4100',
      headers: { 'X-Service-Token': 'secret' },
    })
    expect(conf).toContain('worker_processes 1;')
    expect(conf).toContain('server 127.0.0.1:4100;')
    expect(conf).toContain('keepalive 64;')
    expect(conf).toContain('listen 127.0.0.1:4567;')
    expect(conf).toContain('proxy_set_header X-Service-Token "secret";')
    expect(conf).toContain('proxy_set_header Connection "";')
    expect(conf).not.toContain('unix:')
  })

  it('reaches the upstream through its unix socket when given, as the gateway does', () => {
    const conf = nginxConfig({
      dir: '/tmp/x',
      port: 4567,
      upstream: 'http://127.0.0.1:4100',
      socket: '/tmp/d/sockets/reviews-0.sock',
      headers: {},
    })
    expect(conf).toContain('server unix:/tmp/d/sockets/reviews-0.sock;')
    expect(conf).not.toContain('server 127.0.0.1:4100;')
  })
})

describe('hotFunctions', () => {
  it("reads the self-time table of Bun's markdown profile", () => {
    const md = [
      '# CPU Profile',
      '## Hot Functions (Self Time)',
      '',
      '| Self% | Self | Total% | Total | Function | Location |',
      '|------:|-----:|-------:|------:|----------|----------|',
      '| 37.3% | 3.32s | 37.3% | 3.32s | `values` | `[native code]` |',
      '| 2.1% | 179.1ms | 37.8% | 3.19s | `map` | `[native code]` |',
      '## Call Tree (Total Time)',
      '| 9.9% | 1s | 9.9% | 1s | `later` | `x.ts` |',
    ].join('\n')
    expect(hotFunctions(md)).toEqual([
      { selfPct: 37.3, totalPct: 37.3, fn: 'values', location: '[native code]' },
      { selfPct: 2.1, totalPct: 37.8, fn: 'map', location: '[native code]' },
    ])
    expect(parseProfileTarget('micro:storefront')).toEqual({ kind: 'micro', service: 'storefront' })
    expect(() => parseProfileTarget('gateway')).toThrow('--profile takes')
  })
})
