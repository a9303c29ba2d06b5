import { describe, expect, it } from 'bun:test'
import { checkCard, expired, luhnValid, TEST_CARD } from './payment.ts'

const now = new Date('2030-06-15T12:00:00Z')
const card = (number: string, expiry = '12/39') => ({ number, expiry, cvc: '123' })

describe('Payment rules', () => {
  it('approves the test card, keeping only its last four digits', () => {
    expect(checkCard(card(TEST_CARD), now)).toEqual({ approved: true, last4: '4242' })
  })

  it('declines any Luhn-valid number ending 0002', () => {
    expect(checkCard(card('4000000000000002'), now)).toEqual({
      approved: false,
      reason: 'card declined',
    })
  })

  it('refuses a Luhn-invalid number', () => {
    expect(luhnValid('4242424242424241')).toBe(false)
    expect(luhnValid('5555555555554444')).toBe(true)
    expect(checkCard(card('4242424242424241'), now)).toMatchObject({ approved: false })
  })

  it('counts a card as valid through the last day of its expiry month', () => {
    expect(expired('06/30', now)).toBe(false)
    expect(expired('05/30', now)).toBe(true)
    expect(expired('01/31', now)).toBe(false)
    expect(expired('13/31', now)).toBe(true)
    expect(checkCard(card(TEST_CARD, '05/30'), now)).toEqual({
      approved: false,
      reason: 'card expired',
    })
  })
})
