import { describe, expect, it } from 'bun:test'
import type { Shipping } from '../../contracts/shipping.ts'
import { isDomainError } from '../../domain/errors.ts'
import { testApp, threeWays } from '../../testing/harness.ts'
import { expectProblem } from '../../testing/http.ts'
import { ShippingService, shippingClient, shippingRoutes } from './index.ts'

threeWays<Shipping>(
  'Shipping',
  {
    service: async () => ({ service: new ShippingService() }),
    routes: shippingRoutes,
    client: shippingClient,
  },
  (shipping) => {
    it('quotes a small basket by its total quantity', async () => {
      const q = await shipping().quote({
        items: [
          { productId: 'p-0001', quantity: 1 },
          { productId: 'p-0002', quantity: 2 },
        ],
      })
      expect(q).toEqual({
        id: expect.stringMatching(/^q-/),
        carrier: 'PostNord Letter',
        price: { amount: 4.95, currency: 'EUR' },
        etaDays: 3,
      })
    })

    it('quotes a big basket by freight', async () => {
      const q = await shipping().quote({ items: [{ productId: 'p-0001', quantity: 30 }] })
      expect(q).toMatchObject({ carrier: 'DB Schenker Freight', price: { amount: 24.95 } })
    })

    it('gives every quote its own id', async () => {
      const input = { items: [{ productId: 'p-0001', quantity: 1 }] }
      expect((await shipping().quote(input)).id).not.toBe((await shipping().quote(input)).id)
    })

    it('refuses a shipment too big to carry (400)', async () => {
      const error = await shipping()
        .quote({ items: [{ productId: 'p-0001', quantity: 6000 }] })
        .catch((e) => e)
      expect(isDomainError(error) && error.kind).toBe('invalid')
    })
  },
)

describe('Shipping routes', () => {
  const app = testApp(shippingRoutes(new ShippingService()))
  const post = (body: string) =>
    app.request('/internal/shipping/quotes', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    })

  it('answers a quote with 200', async () => {
    const res = await post(JSON.stringify({ items: [{ productId: 'p-0001', quantity: 4 }] }))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ carrier: 'DHL Parcel', etaDays: 2 })
  })

  it('answers bad bodies with 400 problems', async () => {
    await expectProblem(await post('{"items": ['), 400)
    await expectProblem(await post('{}'), 400)
    await expectProblem(await post('{"items": []}'), 400)
    await expectProblem(await post('{"items": "many"}'), 400)
    await expectProblem(await post('{"items": [{"productId": "p-0001", "quantity": 0}]}'), 400)
    await expectProblem(await post('{"items": [{"productId": "p-0001", "quantity": 1.5}]}'), 400)
    await expectProblem(await post('{"items": [{"productId": "p-0001", "quantity": 1e300}]}'), 400)
    await expectProblem(await post('{"items": [{"productId": "p-0001", "quantity": 1e12}]}'), 400)
    await expectProblem(await post('{"items": [{"quantity": 1}]}'), 400)
  })
})
