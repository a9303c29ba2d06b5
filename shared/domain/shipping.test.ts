import { describe, expect, it } from 'bun:test'
import { DomainError } from './errors.ts'
import { MAX_UNITS, shippingRate } from './shipping.ts'

describe('Shipping rules', () => {
  it('sends up to three units by letter post', () => {
    expect(shippingRate(1)).toEqual({ carrier: 'PostNord Letter', priceCents: 495, etaDays: 3 })
    expect(shippingRate(3).priceCents).toBe(495)
  })

  it('sends four to twenty units as a parcel', () => {
    expect(shippingRate(4)).toEqual({ carrier: 'DHL Parcel', priceCents: 995, etaDays: 2 })
    expect(shippingRate(20).carrier).toBe('DHL Parcel')
  })

  it('sends more by freight, fifty cents per unit over twenty', () => {
    expect(shippingRate(21)).toEqual({
      carrier: 'DB Schenker Freight',
      priceCents: 2045,
      etaDays: 5,
    })
    expect(shippingRate(120).priceCents).toBe(1995 + 100 * 50)
  })

  it('refuses empty, fractional and oversized shipments', () => {
    for (const q of [0, -1, 1.5, MAX_UNITS + 1]) {
      expect(() => shippingRate(q)).toThrow(DomainError)
    }
    expect(shippingRate(MAX_UNITS).carrier).toBe('DB Schenker Freight')
  })
})
