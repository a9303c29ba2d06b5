import { DomainError } from './errors.ts'

// ShippingRate is how a basket travels: the carrier, its price in cents and the days it takes
export interface ShippingRate {
  carrier: string
  priceCents: number
  etaDays: number
}

// MAX_UNITS is the most units one shipment carries (a full checkout: 50 lines of 100)
export const MAX_UNITS = 5000

// shippingRate prices a basket by its total quantity: small baskets go by post at a flat
// price, mid-sized ones as a parcel, big ones by freight with a per-unit surcharge
export function shippingRate(totalQuantity: number): ShippingRate {
  if (!Number.isInteger(totalQuantity) || totalQuantity < 1) {
    throw new DomainError('invalid', 'a shipment needs at least one unit')
  }
  if (totalQuantity > MAX_UNITS) {
    throw new DomainError('invalid', `a shipment carries at most ${MAX_UNITS} units`)
  }
  if (totalQuantity <= 3) return { carrier: 'PostNord Letter', priceCents: 495, etaDays: 3 }
  if (totalQuantity <= 20) return { carrier: 'DHL Parcel', priceCents: 995, etaDays: 2 }
  return {
    carrier: 'DB Schenker Freight',
    priceCents: 1995 + (totalQuantity - 20) * 50,
    etaDays: 5,
  }
}
