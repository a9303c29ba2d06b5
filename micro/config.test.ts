import { describe, expect, it } from 'bun:test'
import { withNodeServices } from './config.ts'
import { topology } from './topology.ts'

describe('withNodeServices', () => {
  it('puts the named services on Node and leaves the rest on Bun', () => {
    const t = withNodeServices(topology, ' payments, shipping ,')
    const runtimes = Object.fromEntries(t.services.map((s) => [s.name, s.runtime ?? 'bun']))
    expect(runtimes.payments).toBe('node')
    expect(runtimes.shipping).toBe('node')
    expect(Object.values(runtimes).filter((r) => r === 'node')).toHaveLength(2)
    // the default topology is left as it was
    expect(topology.services.every((s) => s.runtime === 'bun')).toBe(true)
  })

  it('changes nothing without names and refuses a service that does not exist', () => {
    expect(withNodeServices(topology, undefined)).toBe(topology)
    expect(withNodeServices(topology, '')).toBe(topology)
    expect(() => withNodeServices(topology, 'payments,paymnets')).toThrow(
      'no service named paymnets',
    )
  })
})
