// Demo card rules: a pure verdict on a card, so checkout's payment step behaves predictably.

// Card is what a customer types in
export interface Card {
  number: string
  expiry: string
  cvc: string
}

// CardVerdict approves a card (keeping only its last four digits) or declines it with a reason
export type CardVerdict = { approved: true; last4: string } | { approved: false; reason: string }

// TEST_CARD always passes the number rules (Luhn-valid, not a decline number)
export const TEST_CARD = '4242424242424242'

// luhnValid checks the Luhn check digit of a card number
export function luhnValid(number: string): boolean {
  if (!/^\d{2,19}$/.test(number)) return false
  let sum = 0
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i])
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

// expired tells whether an MM/YY expiry is in the past; a card is good through its last month
export function expired(expiry: string, now: Date): boolean {
  const m = /^(\d{2})\/(\d{2})$/.exec(expiry)
  if (!m) return true
  const month = Number(m[1])
  if (month < 1 || month > 12) return true
  const year = 2000 + Number(m[2])
  return year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1
}

// checkCard applies the demo rules: an expired or Luhn-invalid card is refused, any number
// ending 0002 is declined, everything else (4242424242424242 included) is approved
export function checkCard(card: Card, now: Date): CardVerdict {
  if (expired(card.expiry, now)) return { approved: false, reason: 'card expired' }
  if (!luhnValid(card.number)) return { approved: false, reason: 'card number is invalid' }
  if (card.number.endsWith('0002')) return { approved: false, reason: 'card declined' }
  return { approved: true, last4: card.number.slice(-4) }
}
