// Rng is a small deterministic pseudo-random generator (mulberry32) so seed data is reproducible.
export class Rng {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  // next returns a float in [0, 1)
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  // int returns an integer in [min, max]
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  // pick returns one element of a non-empty list
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T
  }
}

// seedIds are the deterministic ids shared by every module's seed data
export const productId = (n: number) => `p-${String(n).padStart(4, '0')}`
export const userId = (n: number) => `u-${String(n).padStart(4, '0')}`
export const ADMIN_ID = 'u-admin'
export const SEED_PRODUCTS = 1000
export const SEED_USERS = 100
export const CATEGORIES = [
  'books',
  'music',
  'garden',
  'kitchen',
  'toys',
  'sports',
  'tools',
  'games',
]
