import { describe, expect, it } from 'vitest'
import { ZTransactionInput } from '../transactions/transaction-input.ts'
import { isSafeText, metadataProblem, METADATA_LIMITS, textProblem, toSafeText, truncateText } from './safe-text.ts'

const HIGH = '\uD83D' // first half of 😀
const LOW = '\uDE00' // second half of 😀
const EMOJI = '😀'

/** `{ a: { a: ... { a: 1 } } }`, `depth` objects deep, built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 }
  for (let i = 1; i < depth; i += 1) value = { a: value }
  return value
}

const item = (extra: Record<string, unknown> = {}) => ({
  txId: 't-1',
  timestamp: '2026-03-01T10:00:00Z',
  amount: 10,
  accountId: 'acc',
  merchantId: 'm',
  ...extra,
})

function fieldErrors(input: unknown): { field: string; message: string }[] {
  const parsed = ZTransactionInput.safeParse(input)
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }))
}

describe('textProblem / isSafeText', () => {
  it('accepts ordinary and astral text, refuses NUL and lone surrogates', () => {
    expect(textProblem(`café ${EMOJI} ₹`)).toBeNull()
    expect(isSafeText(EMOJI)).toBe(true)
    expect(textProblem(`a${HIGH}`)).toMatch(/lone UTF-16 surrogate/)
    expect(textProblem(`${LOW}b`)).toMatch(/lone UTF-16 surrogate/)
    expect(textProblem(`${LOW}${HIGH}`)).toMatch(/lone UTF-16 surrogate/) // reversed pair
    expect(textProblem('a\u0000b')).toMatch(/NUL/)
    expect(isSafeText('a\u0000')).toBe(false)
  })
})

describe('truncateText', () => {
  it('never splits a surrogate pair, at any cut', () => {
    const text = `${'x'.repeat(63)}${EMOJI}tail` // the emoji straddles unit 64
    expect(text.slice(0, 64).isWellFormed()).toBe(false) // what the old cut did
    expect(truncateText(text, 64)).toBe('x'.repeat(63))
    expect(truncateText(text, 65)).toBe(`${'x'.repeat(63)}${EMOJI}`)
    const emojis = EMOJI.repeat(40)
    for (let max = 0; max <= emojis.length + 1; max += 1) {
      const cut = truncateText(emojis, max)
      expect(cut.isWellFormed()).toBe(true)
      expect(cut.length).toBeLessThanOrEqual(max)
      expect(cut.length).toBeGreaterThanOrEqual(max - 1)
    }
    expect(truncateText('short', 64)).toBe('short')
  })
})

describe('toSafeText', () => {
  it('replaces what cannot be stored and bounds the length', () => {
    expect(toSafeText(`a\u0000b${HIGH}`)).toBe('a\uFFFDb\uFFFD')
    const long = toSafeText(EMOJI.repeat(100), 11)
    expect(long.isWellFormed()).toBe(true)
    expect(long.length).toBeLessThanOrEqual(11)
    expect(long.endsWith('…')).toBe(true)
  })
})

describe('metadataProblem', () => {
  it('accepts a JSON object within the limits', () => {
    expect(metadataProblem({ a: [1, 'two', null, true, { b: EMOJI }], constructor: 'x', prototype: 1 })).toBeNull()
    expect(metadataProblem(nested(METADATA_LIMITS.maxDepth))).toBeNull()
  })

  it('refuses a 5,000-deep document with a field error instead of overflowing the stack', () => {
    const problem = metadataProblem(nested(5_000))
    expect(problem?.message).toMatch(/nested at most 32 levels/)
    expect(problem?.path).toEqual(Array(METADATA_LIMITS.maxDepth + 1).fill('a'))
    const deepArray: unknown[] = []
    let tip = deepArray
    for (let i = 0; i < 100_000; i += 1) {
      const next: unknown[] = []
      tip.push(next)
      tip = next
    }
    expect(metadataProblem({ list: deepArray })?.message).toMatch(/nested at most/)
  })

  it('names the path of a bad string or key', () => {
    expect(metadataProblem({ a: { b: `x${HIGH}` } })).toEqual({ path: ['a', 'b'], message: expect.stringMatching(/lone UTF-16 surrogate/) })
    expect(metadataProblem({ a: [0, `\u0000`] })).toEqual({ path: ['a', 1], message: expect.stringMatching(/NUL/) })
    expect(metadataProblem({ a: { 'k\u0000': 1 } })).toEqual({ path: ['a', 'k\uFFFD'], message: expect.stringMatching(/^key .*NUL/) })
    expect(metadataProblem({ [`k${LOW}`]: 1 })?.message).toMatch(/^key .*surrogate/)
  })

  it('refuses a __proto__ key by name rather than dropping it', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"polluted":true}}}') as unknown
    expect(metadataProblem(parsed)).toEqual({ path: ['a', '__proto__'], message: expect.stringMatching(/reserved key/) })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('bounds the node count and the text size', () => {
    expect(metadataProblem({ list: Array(2_000).fill(1) })?.message).toMatch(/at most 1000 values/)
    expect(metadataProblem(Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`k${i}`, i])))?.message).toMatch(/at most 1000 values/)
    expect(metadataProblem({ a: 'x'.repeat(20_000) })?.message).toMatch(/16384 characters/)
  })

  it('refuses what is not JSON', () => {
    expect(metadataProblem([1])?.message).toBe('must be a JSON object')
    expect(metadataProblem({ n: Number.NaN })?.message).toBe('must be a finite number')
    expect(metadataProblem({ d: new Date(0) })?.message).toMatch(/JSON value/)
    expect(metadataProblem({ u: undefined })?.message).toMatch(/JSON value/)
  })
})

describe('ZTransactionInput uses the one sanitising step', () => {
  it('refuses a lone surrogate in each text field, by field name', () => {
    for (const field of ['txId', 'accountId', 'merchantId', 'category', 'channel']) {
      expect(fieldErrors(item({ [field]: `ab${HIGH}` }))).toEqual([{ field, message: expect.stringMatching(/surrogate/) }])
      expect(fieldErrors(item({ [field]: `a\u0000b` }))).toEqual([{ field, message: expect.stringMatching(/NUL/) }])
    }
    expect(fieldErrors(item({ category: `${'x'.repeat(62)}${EMOJI}` }))).toEqual([])
  })

  it('gives metadata problems with their path and never throws', () => {
    expect(fieldErrors(item({ metadata: { a: { b: LOW } } }))).toEqual([{ field: 'metadata.a.b', message: expect.stringMatching(/surrogate/) }])
    expect(fieldErrors(item({ metadata: { 'k\u0000': 1 } }))).toEqual([{ field: 'metadata.k\uFFFD', message: expect.stringMatching(/NUL/) }])
    const deep = fieldErrors(item({ metadata: nested(5_000) }))
    expect(deep).toHaveLength(1)
    expect(deep[0]?.field.startsWith('metadata.a.a.')).toBe(true)
    expect(fieldErrors(item({ metadata: [] }))).toEqual([{ field: 'metadata', message: 'must be a JSON object' }])
  })

  it('refuses __proto__ in metadata and keeps every other key as sent', () => {
    const withProto = JSON.parse('{"txId":"t","timestamp":1,"amount":1,"accountId":"a","merchantId":"m","metadata":{"__proto__":{"x":1}}}') as unknown
    expect(fieldErrors(withProto)).toEqual([{ field: 'metadata.__proto__', message: expect.stringMatching(/reserved/) }])
    const parsed = ZTransactionInput.parse(item({ metadata: { constructor: 'c', prototype: { a: [1] } } }))
    expect(JSON.stringify(parsed.metadata)).toBe('{"constructor":"c","prototype":{"a":[1]}}')
  })

  it('bounds the timestamp (time-bounds.ts)', () => {
    expect(fieldErrors(item({ timestamp: 8.64e15 + 1 })).map((e) => e.field)).toEqual(['timestamp'])
    expect(fieldErrors(item({ timestamp: Date.UTC(10_000, 0, 1) })).map((e) => e.field)).toEqual(['timestamp'])
    expect(fieldErrors(item({ timestamp: '+099999-01-01T00:00:00Z' })).map((e) => e.field)).toEqual(['timestamp'])
    expect(ZTransactionInput.parse(item({ timestamp: '9999-12-31T23:59:59.999Z' })).timestamp).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999))
  })
})
