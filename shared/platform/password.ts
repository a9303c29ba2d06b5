import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { unavailable } from '../domain/errors.ts'

// PASSWORD_HASHING is scrypt (node:crypto, the same under Bun and Node): N = 2^15, r = 8, p = 1
// costs 32 MiB and about 75 ms here, a 16-byte salt per password, a 32-byte key
export const PASSWORD_HASHING = { algorithm: 'scrypt', N: 2 ** 15, r: 8, p: 1 } as const

const SALT_BYTES = 16
const KEY_BYTES = 32
// the most a stored hash may ask for: a tampered row must not make a login allocate gigabytes
const MAX_N = 2 ** 20
const MAX_R = 32
const MAX_P = 16
const MAX_MEM = 256 * 1024 * 1024

type Params = { N: number; r: number; p: number }

const derive = (password: string, salt: Buffer, length: number, { N, r, p }: Params) =>
  new Promise<Buffer>((resolve, reject) =>
    // libuv's thread pool does the work: the event loop keeps serving meanwhile
    scrypt(password.normalize('NFC'), salt, length, { N, r, p, maxmem: MAX_MEM }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )

// hashPassword hashes a password with a fresh salt as `scrypt$N$r$p$salt$key` (base64url): the
// parameters travel with the hash, so they can grow without invalidating stored ones
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = PASSWORD_HASHING
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, KEY_BYTES, { N, r, p })
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

const power2 = (n: number) => Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0

// verifyPassword tells whether a password matches a stored hash: scrypt hashes anywhere, the
// argon2 hashes of earlier versions under Bun only (Bun.password); elsewhere such a hash cannot
// be checked and the answer is a 503 (never a wrong "no"); anything unreadable is no match
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2')) {
    const bun = (
      globalThis as { Bun?: { password: { verify(p: string, h: string): Promise<boolean> } } }
    ).Bun
    if (!bun) throw unavailable('this password was hashed with argon2, which only Bun can check')
    return bun.password.verify(password, stored)
  }
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  if (!power2(N) || N > MAX_N || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return false
  const salt = Buffer.from(parts[4]!, 'base64url')
  const expected = Buffer.from(parts[5]!, 'base64url')
  if (salt.length === 0 || expected.length < 16) return false
  const key = await derive(password, salt, expected.length, { N, r, p })
  return timingSafeEqual(key, expected)
}

// needsRehash tells whether a stored hash is of another kind or other parameters than
// hashPassword makes now (a successful login replaces it)
export function needsRehash(stored: string): boolean {
  const { N, r, p } = PASSWORD_HASHING
  return !stored.startsWith(`scrypt$${N}$${r}$${p}$`)
}
