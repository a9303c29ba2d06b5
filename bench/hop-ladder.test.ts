import { afterEach, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GATEWAY_STEPS, gatewayLadder, HOP_STEPS, hopLadder } from './hop-ladder.ts'

let dir = ''
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the hop ladder', () => {
  it('times every layer of a hop, each serving the product through its own stack', async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinstack-hop-ladder-'))
    // a step whose server refused the call (no token, no route) or answered no product throws
    const l = await hopLadder(dir, 200, 1, 4)
    expect(Object.keys(l.steps)).toEqual([...HOP_STEPS])
    for (const step of HOP_STEPS) expect(l.steps[step]).toBeGreaterThan(0)
    expect(l).toMatchObject({ calls: 200, rounds: 1, concurrency: 4 })
  }, 60_000)
})

describe('the gateway ladder', () => {
  it('times every layer of a forwarded request, each answering through its own proxy', async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinstack-gateway-ladder-'))
    // a proxy that did not reach the upstream (no route, a refused token) answers non-200 and throws
    const l = await gatewayLadder(dir, 200, 1, 4)
    expect(Object.keys(l.steps)).toEqual([...GATEWAY_STEPS])
    for (const step of GATEWAY_STEPS) expect(l.steps[step]).toBeGreaterThan(0)
  }, 60_000)
})
