import { count } from 'drizzle-orm'
import { CATEGORIES, productId, Rng, SEED_PRODUCTS } from '../../domain/prng.ts'
import { type Db, write } from '../../platform/db/index.ts'
import { products } from './schema.ts'

const ADJECTIVES = [
  'Classic',
  'Compact',
  'Deluxe',
  'Eco',
  'Handy',
  'Nordic',
  'Smart',
  'Sturdy',
  'Vivid',
  'Quiet',
]
const NOUNS: Record<string, string[]> = {
  books: ['Novel', 'Atlas', 'Cookbook', 'Anthology', 'Field Guide'],
  music: ['Vinyl', 'Songbook', 'Ukulele', 'Metronome', 'Headphones'],
  garden: ['Trowel', 'Planter', 'Hose', 'Seed Kit', 'Pruner'],
  kitchen: ['Kettle', 'Skillet', 'Knife', 'Teapot', 'Grinder'],
  toys: ['Puzzle', 'Kite', 'Robot', 'Train Set', 'Yo-yo'],
  sports: ['Racket', 'Yoga Mat', 'Football', 'Water Bottle', 'Skipping Rope'],
  tools: ['Hammer', 'Drill', 'Level', 'Wrench', 'Toolbox'],
  games: ['Board Game', 'Card Deck', 'Chess Set', 'Dice Tower', 'Party Game'],
}

// seedCatalog creates the deterministic product list when the table is empty
export function seedCatalog(db: Db): void {
  if ((db.select({ n: count() }).from(products).get()?.n ?? 0) > 0) return
  const rng = new Rng(1)
  const rows = Array.from({ length: SEED_PRODUCTS }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length]!
    const name = `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS[category]!)} ${i + 1}`
    return {
      id: productId(i + 1),
      name,
      category,
      description: `A ${name.toLowerCase()} from our ${category} range, built to last.`,
    }
  })
  write(db, (tx) => {
    for (let i = 0; i < rows.length; i += 200)
      tx.insert(products)
        .values(rows.slice(i, i + 200))
        .run()
  })
}
