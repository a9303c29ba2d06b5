import { randomUUID } from 'node:crypto'
import type { Quote, QuoteInput, Shipping } from '../../contracts/shipping.ts'
import { money } from '../../domain/money.ts'
import { shippingRate } from '../../domain/shipping.ts'

// ShippingService quotes deliveries from the pure shipping rules; it keeps no state
export class ShippingService implements Shipping {
  async quote(input: QuoteInput): Promise<Quote> {
    const units = input.items.reduce((n, i) => n + i.quantity, 0)
    const rate = shippingRate(units)
    return {
      id: `q-${randomUUID()}`,
      carrier: rate.carrier,
      price: money(rate.priceCents),
      etaDays: rate.etaDays,
    }
  }
}
