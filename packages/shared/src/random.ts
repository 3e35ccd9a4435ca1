/**
 * A small seeded PRNG (mulberry32). Seed data, tests and model training must give
 * the same output on every machine for the same seed, which Math.random cannot.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  int(minInclusive: number, maxExclusive: number): number
  pick<T>(items: readonly T[]): T
  /** Standard normal (Box-Muller). */
  normal(mean?: number, sd?: number): number
  /** Exponential with the given mean. */
  exponential(mean: number): number
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min)),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list')
      return items[Math.floor(next() * items.length)] as (typeof items)[number]
    },
    normal: (mean = 0, sd = 1) => {
      const u = 1 - next()
      const v = next()
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    },
    exponential: (mean) => -mean * Math.log(1 - next()),
  }
}
