import { describe, expect, it } from 'bun:test'
import { luaString, parseWrk, wrkPath, wrkScript } from './wrk.ts'

describe('luaString', () => {
  it('escapes quotes, backslashes, newlines and non-ASCII as decimal bytes', () => {
    expect(luaString('a"b\\c\nd')).toBe('"a\\034b\\092c\\010d"')
    expect(luaString('"4242')).toBe('"\\0344242"')
    expect(luaString('é')).toBe('"\\195\\169"')
  })
})

describe('wrkScript', () => {
  it('formats every template and prints one JSON line when done', () => {
    const lua = wrkScript([
      { method: 'GET', path: '/api/products/p-0001' },
      {
        method: 'POST',
        path: '/api/loans',
        headers: { Authorization: 'Bearer t' },
        body: '{"amount":1000}',
      },
    ])
    expect(lua).toContain('wrk.format("GET", "/api/products/p-0001", {  }, nil)')
    expect(lua).toContain('["Authorization"] = "Bearer t"')
    expect(lua).toContain('"{\\034amount\\034:1000}"')
    expect(lua).toContain('WRK_JSON')
  })
})

describe('parseWrk', () => {
  const meta = { startedAt: 0, finishedAt: 2000, generatorCores: 1.2 }
  it('reads requests, errors and latency (µs to ms)', () => {
    const out = `Running 2s test\nWRK_JSON {"requests":2000,"durationUs":2000000,"bytes":100000,"connect":0,"read":1,"write":0,"status":10,"timeout":2,"latencyUs":{"min":100,"mean":1500.5,"max":9000,"p2_5":200,"p50":1000,"p75":1500,"p90":2000,"p97_5":4000,"p99":5000,"p99_9":8000}}\n`
    const r = parseWrk(out, meta)
    expect(r.rps).toBe(1000)
    expect(r.non2xx).toBe(10)
    expect(r.errors).toBe(3)
    expect(r.latency.p50).toBe(1)
    expect(r.latency.p99).toBe(5)
    expect(r.generatorCores).toBe(1.2)
  })
  it('says so when wrk printed nothing usable', () => {
    expect(() => parseWrk('unable to connect', meta)).toThrow('no figures')
  })
})

describe.skipIf(!wrkPath())('wrk against a tiny server', () => {
  it('runs the generated script and parses its output', async () => {
    const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('ok') })
    const dir = `${process.env.TMPDIR ?? '/tmp'}/wrk-test-${process.pid}.lua`
    await Bun.write(dir, wrkScript([{ method: 'GET', path: '/' }]))
    try {
      const proc = Bun.spawn(
        ['wrk', '-t1', '-c2', '-d1s', '-s', dir, `http://127.0.0.1:${server.port}`],
        {
          stdout: 'pipe',
        },
      )
      const stdout = await new Response(proc.stdout).text()
      await proc.exited
      const r = parseWrk(stdout, { startedAt: 0, finishedAt: 1000, generatorCores: 0 })
      expect(r.requests).toBeGreaterThan(10)
      expect(r.non2xx).toBe(0)
    } finally {
      server.stop(true)
    }
  })
})
