// Money is the one money type: amount in major units with at most 2 decimals, and a currency.
export interface Money {
  amount: number
  currency: string
}

export const CURRENCY = 'EUR'

// cents turns a Money amount into integer minor units, where all arithmetic happens
export const cents = (m: Money): number => Math.round(m.amount * 100)

// money builds a Money from integer minor units
export const money = (minor: number, currency = CURRENCY): Money => ({
  amount: Math.round(minor) / 100,
  currency,
})

// sumMoney adds amounts of one currency
export const sumMoney = (items: Money[], currency = CURRENCY): Money =>
  money(
    items.reduce((acc, m) => acc + cents(m), 0),
    currency,
  )

// times multiplies a unit price by a quantity
export const times = (unit: Money, quantity: number): Money =>
  money(cents(unit) * quantity, unit.currency)
