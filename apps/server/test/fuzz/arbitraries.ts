import fc from 'fast-check'

/**
 * Shared generators of hostile input. Large or deep values are generated as small
 * descriptions (Repeat, Deep, Keyed) and built only when a request is sent
 * (`materialize`): a failure then prints as `Repeat("😀"×70000)` rather than 140,000
 * characters, and shrinks by its count.
 */

/** Text repeated to a length (huge strings, cut points): prefix + unit × times + suffix. */
export class Repeat {
  constructor(
    readonly unit: string,
    readonly times: number,
    readonly prefix = '',
    readonly suffix = '',
  ) {}
  build(): string {
    return `${this.prefix}${this.unit.repeat(this.times)}${this.suffix}`
  }
  [fc.toStringMethod](): string {
    return `Repeat(${[this.prefix && JSON.stringify(this.prefix), `${JSON.stringify(this.unit)}×${this.times}`, this.suffix && JSON.stringify(this.suffix)].filter(Boolean).join(' + ')})`
  }
}

/** A value nested `depth` levels deep in objects ({d: ...}) or arrays ([...]), built iteratively. */
export class Deep {
  constructor(
    readonly depth: number,
    readonly shape: 'object' | 'array' | 'mixed',
    readonly leaf: Spec = 1,
  ) {}
  build(): unknown {
    let value = materialize(this.leaf)
    for (let i = 0; i < this.depth; i += 1) {
      const asArray = this.shape === 'array' || (this.shape === 'mixed' && i % 2 === 1)
      value = asArray ? [value] : { d: value }
    }
    return value
  }
  [fc.toStringMethod](): string {
    return `Deep(${this.depth}, ${this.shape}, ${fc.stringify(this.leaf)})`
  }
}

/** An object whose keys are own properties whatever they are (`__proto__` included), as JSON.parse makes them. */
export class Keyed {
  constructor(readonly entries: [string, Spec][]) {}
  build(): Record<string, unknown> {
    const object: Record<string, unknown> = {}
    for (const [key, value] of this.entries)
      Object.defineProperty(object, key, { value: materialize(value), enumerable: true, writable: true, configurable: true })
    return object
  }
  [fc.toStringMethod](): string {
    return `Keyed{${this.entries.map(([k, v]) => `${JSON.stringify(k)}: ${fc.stringify(v)}`).join(', ')}}`
  }
}

/** An array of `count` copies of `item`. */
export class Many {
  constructor(
    readonly count: number,
    readonly item: Spec,
  ) {}
  build(): unknown[] {
    const value = materialize(this.item)
    return Array.from({ length: this.count }, () => value)
  }
  [fc.toStringMethod](): string {
    return `Many(${this.count} × ${fc.stringify(this.item)})`
  }
}

export type Spec = string | number | boolean | null | undefined | Repeat | Deep | Keyed | Many | Spec[] | { [key: string]: Spec }

/** The value a Spec stands for (plain values as they are). */
export function materialize(spec: Spec): unknown {
  if (spec instanceof Repeat || spec instanceof Deep || spec instanceof Keyed || spec instanceof Many) return spec.build()
  if (Array.isArray(spec)) return spec.map(materialize)
  if (spec !== null && typeof spec === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(spec)) if (value !== undefined) out[key] = materialize(value)
    return out
  }
  return spec
}

/**
 * The JSON text of a Spec, built without recursing through Deep values (JSON.stringify
 * of a 5,000-level document overflows a worker thread's stack in the test itself).
 */
export function jsonText(spec: Spec): string {
  if (spec instanceof Deep) {
    const leaf = jsonText(spec.leaf)
    let open = ''
    let close = ''
    for (let i = spec.depth - 1; i >= 0; i -= 1) {
      const asArray = spec.shape === 'array' || (spec.shape === 'mixed' && i % 2 === 1)
      open += asArray ? '[' : '{"d":'
    }
    for (let i = 0; i < spec.depth; i += 1) {
      const asArray = spec.shape === 'array' || (spec.shape === 'mixed' && i % 2 === 1)
      close += asArray ? ']' : '}'
    }
    return `${open}${leaf}${close}`
  }
  if (spec instanceof Keyed) return `{${spec.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`
  if (spec instanceof Many) {
    const item = jsonText(spec.item)
    return `[${Array.from({ length: spec.count }, () => item).join(',')}]`
  }
  if (spec instanceof Repeat) return JSON.stringify(spec.build())
  if (spec === undefined) return 'null'
  if (Array.isArray(spec)) return `[${spec.map(jsonText).join(',')}]`
  if (spec !== null && typeof spec === 'object') {
    return `{${Object.entries(spec)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`
  }
  return JSON.stringify(spec) ?? 'null'
}

// ------------------------------------------------------------------ text

export const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D'] as const
export const loneSurrogate = fc.constantFrom(...LONE_SURROGATES)

/** Characters and snippets that have broken text handling somewhere. */
export const nastyPiece = fc.constantFrom(
  '\u0000',
  '\uFEFF',
  '\u202E',
  '\u2028',
  '😀',
  '👨‍👩‍👧',
  '🇮🇳',
  'é',
  '\'); DROP TABLE "Transaction"; --',
  '$$',
  '\\',
  '"',
  '\r\n',
  '%00',
  '__proto__',
  'constructor',
  '${jndi:x}',
)

/** Text with no NUL, no lone surrogate, trimmed, not empty: what an id field accepts (≤ 128 units). */
export const safeId = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 24 })
  .filter((s) => s.trim() === s && s.length > 0 && s.length <= 128 && !s.includes('\u0000') && s.isWellFormed())

export const safeText = (maxUnits: number) =>
  fc.string({ unit: 'grapheme', maxLength: Math.min(maxUnits, 30) }).filter((s) => s.length <= maxUnits && !s.includes('\u0000') && s.isWellFormed())

/** Text that carries at least one NUL or lone surrogate somewhere. */
export const unsafeText = fc
  .tuple(fc.string({ maxLength: 12 }), fc.oneof(loneSurrogate, fc.constant('\u0000')), fc.string({ maxLength: 12 }))
  .map(([a, b, c]) => `${a}${b}${c}`)

/** Any text at all: unicode, binary, nasty pieces, unsafe text, huge text. */
export const anyText: fc.Arbitrary<string | Repeat> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.tuple(fc.string({ maxLength: 10 }), nastyPiece, fc.string({ maxLength: 10 })).map(([a, b, c]) => `${a}${b}${c}`),
  unsafeText,
  fc
    .tuple(fc.constantFrom('a', '😀', 'é', '\u0000', '\uD800', 'ab\uDC00'), fc.integer({ min: 1_000, max: 120_000 }))
    .map(([unit, n]) => new Repeat(unit, Math.ceil(n / unit.length))),
)

/** An emoji placed to straddle a length limit: `limit - 1` ASCII units, then a 2-unit emoji. */
export const straddle = (limit: number) => new Repeat('x', limit - 1, '', '😀')

// ------------------------------------------------------------------ numbers and times

export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** Numbers a JSON body can carry that sit outside every sensible range (or on its edge). */
export const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 1e20, 9e15, 8.64e15, 8.64e15 + 1, 1e308, -1e308, 2 ** 53 + 2, 1.5, 5e-324, -5e-324, 1e12 + 1),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)

/** Timestamps that must be refused: beyond JS dates, before 1970, after 9999, not whole ms, not ISO with offset. */
export const badTimestamp = fc.constantFrom<unknown>(
  9e15,
  1e20,
  -1,
  -8.64e15,
  8.64e15,
  8.64e15 + 1,
  MAX_TIME_MS + 1,
  1.5,
  '+275760-09-13T00:00:00.001Z',
  '+010000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '2026-03-01',
  '',
  'now',
  '1700000000000',
  null,
  true,
  [],
  {},
)

export const goodTimestamp = fc.oneof(
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
  fc.date({ min: new Date(Date.UTC(2020, 0, 1)), max: new Date(Date.UTC(2030, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .date({ min: new Date(Date.UTC(2020, 0, 1)), max: new Date(Date.UTC(2030, 0, 1)), noInvalidDate: true })
    .map((d) => `${d.toISOString().slice(0, 19)}+05:30`),
  fc.constantFrom<string | number>(0, MAX_TIME_MS, '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z'),
)

/** Values of the wrong JSON type for most fields. */
export const wrongType = fc.constantFrom<Spec>(true, false, null, [], {}, [1, 2], { $: 1 }, 0, '12')

// ------------------------------------------------------------------ JSON documents

const safeKey = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((k) => k !== '__proto__' && !k.includes('\u0000') && k.isWellFormed())

/** A small metadata document the product must store as sent (constructor keys included). */
export const safeMetadata: fc.Arbitrary<Spec> = fc
  .array(
    fc.tuple(
      fc.oneof(safeKey, fc.constantFrom('constructor', 'toString', 'prototype', 'hasOwnProperty')),
      fc.oneof(
        safeText(40) as fc.Arbitrary<Spec>,
        fc.integer() as fc.Arbitrary<Spec>,
        fc.boolean() as fc.Arbitrary<Spec>,
        fc.constant(null) as fc.Arbitrary<Spec>,
        fc.array(fc.integer(), { maxLength: 4 }) as fc.Arbitrary<Spec>,
        fc.constant(new Deep(5, 'mixed', 'leaf')) as fc.Arbitrary<Spec>,
      ),
    ),
    { maxLength: 5 },
  )
  .map((entries) => new Keyed(entries))

/**
 * Metadata that must be refused, with the reason: deep nesting (up to 5,000 levels),
 * `__proto__` keys, NUL or lone surrogates in keys or values, too many values, too
 * much text, not an object at all.
 */
export const badMetadata: fc.Arbitrary<{ why: string; value: Spec }> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 40, max: 5_000 }), fc.constantFrom<'object' | 'array' | 'mixed'>('object', 'array', 'mixed'))
    .map(([depth, shape]) => ({ why: `nested ${depth} deep`, value: new Keyed([['root', new Deep(depth, shape)]]) })),
  fc
    .integer({ min: 0, max: 5 })
    .map((depth) => ({ why: '__proto__ key', value: new Keyed([['a', new Deep(depth, 'object', new Keyed([['__proto__', { polluted: true }]]))]]) })),
  fc.constant({ why: '__proto__ key at the top', value: new Keyed([['__proto__', { isAdmin: true }]]) as Spec }),
  unsafeText.map((text) => ({ why: 'unsafe text value', value: new Keyed([['note', text]]) })),
  unsafeText.map((text) => ({ why: 'unsafe text key', value: new Keyed([[text, 1]]) })),
  fc.integer({ min: 1_100, max: 5_000 }).map((n) => ({ why: 'too many values', value: { list: new Many(n, 0) } as Spec })),
  fc.integer({ min: 17_000, max: 200_000 }).map((n) => ({ why: 'too much text', value: { blob: new Repeat('y', n) } as Spec })),
  fc.constantFrom<Spec>('a string', 5, [1, 2], null, true).map((value) => ({ why: 'not an object', value })),
)
