import { describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { adminPasswords, parseChaos } from './chaos.ts'

describe('parseChaos', () => {
  it('maps process actions to the micro control routes', () => {
    expect(parseChaos(['kill', 'payments'])).toEqual({
      action: 'kill',
      method: 'POST',
      path: '/_/control/kill/payments',
      microOnly: true,
    })
    expect(parseChaos(['restart', 'storefront']).path).toBe('/_/control/restart/storefront')
  })

  it('maps fault injection to the chaos routes with typed bodies', () => {
    expect(parseChaos(['latency', 'pricing', '200', '50']).body).toEqual({
      target: 'pricing',
      ms: 200,
      jitter: 50,
    })
    expect(parseChaos(['errors', 'reviews', '0.5']).body).toEqual({ target: 'reviews', rate: 0.5 })
    expect(parseChaos(['partition', 'orders', 'payments']).body).toEqual({
      from: 'orders',
      to: 'payments',
    })
    expect(parseChaos(['crash', 'payments']).path).toBe('/_/chaos/crash')
    expect(parseChaos(['heal']).body).toEqual({ target: 'all' })
  })

  it('maps the fault classes hang, cpu, leak and poison to their chaos routes', () => {
    expect(parseChaos(['hang', 'payments'])).toEqual({
      action: 'hang',
      method: 'POST',
      path: '/_/chaos/hang',
      body: { target: 'payments' },
    })
    expect(parseChaos(['cpu', 'pricing', '50']).body).toEqual({ target: 'pricing', ms: 50 })
    expect(parseChaos(['leak', 'orders', '20']).body).toEqual({ target: 'orders', mibPerSec: 20 })
    expect(parseChaos(['poison', 'reporting']).path).toBe('/_/chaos/poison')
    expect(() => parseChaos(['cpu', 'pricing'])).toThrow('cpu needs ms')
    expect(() => parseChaos(['leak', 'orders', '0'])).toThrow('MiB/s must be')
    expect(() => parseChaos(['hang'])).toThrow('hang needs a target')
  })

  it('refuses missing and out-of-range arguments with the usage', () => {
    expect(() => parseChaos(['kill'])).toThrow('kill needs a service')
    expect(() => parseChaos(['errors', 'reviews', '2'])).toThrow('rate must be 0..1')
    expect(() => parseChaos(['latency', 'pricing', 'soon'])).toThrow('ms must be')
    expect(() => parseChaos(['explode', 'x'])).toThrow('usage: chaos')
  })
})

describe('adminPasswords', () => {
  it('tries ADMIN_PASSWORD alone, else the demo password, then the generated one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinstack-chaos-'))
    try {
      expect(adminPasswords('micro', { ADMIN_PASSWORD: 'given' })).toEqual(['given'])
      expect(adminPasswords('monolith', { TWINSTACK_DATA: dir })).toEqual(['admin-password'])
      writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ adminPassword: 'generated' }))
      expect(adminPasswords('monolith', { TWINSTACK_DATA: dir })).toEqual([
        'admin-password',
        'generated',
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
