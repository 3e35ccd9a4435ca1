import { z } from 'zod'

/**
 * The one place that says which text the product accepts from outside (the ingestion
 * API, batch CSVs, anything stored in Postgres):
 *
 * - no NUL (U+0000): Postgres `text` cannot hold it and `jsonb` refuses `\u0000`;
 * - well-formed UTF-16 only: no lone surrogate (half of an emoji). JSON.stringify
 *   writes one as `\ud83d`, which `jsonb` refuses ("invalid input syntax for type
 *   json"), failing the statement that stores a whole batch;
 * - bounded length, counted in UTF-16 code units (JavaScript's `length`).
 *
 * Text is cut only with `truncateText`, which never splits a surrogate pair.
 * `metadata` (free JSON) is checked by `metadataProblem`: an iterative walk with a
 * bounded depth, node count and text size, so a hostile document costs at most
 * METADATA_LIMITS.maxNodes steps and can never overflow the stack.
 */

// Node 20 has both (ES2024); the workspace's TypeScript lib stops at ES2023.
declare global {
  interface String {
    isWellFormed(): boolean
    toWellFormed(): string
  }
}

export const NUL_MESSAGE = 'must not contain a NUL character (\\u0000)'
export const LONE_SURROGATE_MESSAGE = 'must be valid Unicode text (it has a lone UTF-16 surrogate, e.g. half of an emoji)'

const NUL = '\u0000'

/** Why `text` is not acceptable text (ignoring length), or null when it is. */
export function textProblem(text: string): string | null {
  if (text.includes(NUL)) return NUL_MESSAGE
  if (!text.isWellFormed()) return LONE_SURROGATE_MESSAGE
  return null
}

/** Whether `text` has no NUL and no lone surrogate. */
export function isSafeText(text: string): boolean {
  return !text.includes(NUL) && text.isWellFormed()
}

/**
 * `text` cut to at most `maxUnits` UTF-16 code units, never between the two halves of
 * a surrogate pair (the pair is dropped whole instead). Use it wherever text is cut.
 */
export function truncateText(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text
  if (maxUnits <= 0) return ''
  const last = text.charCodeAt(maxUnits - 1)
  // A high surrogate as the last kept unit would be left alone by the cut.
  const end = last >= 0xd800 && last <= 0xdbff ? maxUnits - 1 : maxUnits
  return text.slice(0, end)
}

/**
 * Any text made safe to store or show, for messages that quote what a client sent
 * (a CSV cell, a database error): NUL and lone surrogates become U+FFFD, and the
 * result is cut to `maxUnits` (default 200) with an ellipsis.
 */
export function toSafeText(text: string, maxUnits = 200): string {
  let safe = text.includes(NUL) ? text.replaceAll(NUL, '\uFFFD') : text
  if (!safe.isWellFormed()) safe = safe.toWellFormed()
  return safe.length > maxUnits ? `${truncateText(safe, Math.max(0, maxUnits - 1))}…` : safe
}

/**
 * A trimmed text field of at most `max` UTF-16 units, without NUL or lone surrogates
 * (each refused with its own message, as the field's error). `min` 1 for ids.
 */
export const zSafeText = (max: number, options: { min?: number } = {}) => {
  let schema = z.string().trim()
  if (options.min !== undefined) schema = schema.min(options.min, 'must not be empty')
  return schema.max(max).superRefine((text, ctx) => {
    const problem = textProblem(text)
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
  })
}

/** Bounds of a `metadata` document (see the README's ingestion section). */
export const METADATA_LIMITS = {
  /** Nesting levels below the top object (the top object's values are at depth 1). */
  maxDepth: 32,
  /** Values (objects, arrays, strings, numbers, booleans, nulls) in the whole document. */
  maxNodes: 1_000,
  /** UTF-16 units of all keys and strings together (16 KiB of ASCII). */
  maxTextUnits: 16_384,
} as const

export type MetadataLimits = { maxDepth: number; maxNodes: number; maxTextUnits: number }

/** Keys refused in metadata: copying such an object into another drops or rewires `__proto__`. */
export const RESERVED_METADATA_KEYS: ReadonlySet<string> = new Set(['__proto__'])

export interface JsonProblem {
  /** From the document's top: keys and array indexes (unsafe text in keys shown as U+FFFD). */
  path: (string | number)[]
  message: string
}

interface Frame {
  value: unknown
  depth: number
  parent: Frame | null
  key: string | number
}

function pathOf(frame: Frame | null): (string | number)[] {
  const path: (string | number)[] = []
  for (let f = frame; f !== null && f.parent !== null; f = f.parent) path.push(typeof f.key === 'string' ? toSafeText(f.key, 64) : f.key)
  return path.reverse()
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/**
 * The first problem of a `metadata` document, or null when it is a JSON object the
 * product stores: plain objects, arrays, safe strings, finite numbers, booleans and
 * nulls; keys safe text and not `__proto__`; within `limits`. Iterative (an explicit
 * stack), O(nodes) and stopping at `limits.maxNodes`, whatever the input.
 */
export function metadataProblem(document: unknown, limits: MetadataLimits = METADATA_LIMITS): JsonProblem | null {
  if (!isPlainObject(document)) return { path: [], message: 'must be a JSON object' }
  const stack: Frame[] = [{ value: document, depth: 0, parent: null, key: '' }]
  let nodes = 0
  let textUnits = 0
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value, depth } = frame
    nodes += 1
    if (nodes > limits.maxNodes) return { path: pathOf(frame), message: `must hold at most ${limits.maxNodes} values in all` }
    if (depth > limits.maxDepth) return { path: pathOf(frame), message: `must be nested at most ${limits.maxDepth} levels deep` }
    if (typeof value === 'string') {
      const problem = textProblem(value)
      if (problem !== null) return { path: pathOf(frame), message: problem }
      textUnits += value.length
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { path: pathOf(frame), message: 'must be a finite number' }
    } else if (value === null || typeof value === 'boolean') {
      // fine
    } else if (Array.isArray(value)) {
      if (nodes + stack.length + value.length > limits.maxNodes) return { path: pathOf(frame), message: `must hold at most ${limits.maxNodes} values in all` }
      // Pushed in reverse so that the walk (and so the first problem) follows document order.
      for (let i = value.length - 1; i >= 0; i -= 1) stack.push({ value: value[i], depth: depth + 1, parent: frame, key: i })
    } else if (isPlainObject(value)) {
      const keys = Object.keys(value)
      if (nodes + stack.length + keys.length > limits.maxNodes) return { path: pathOf(frame), message: `must hold at most ${limits.maxNodes} values in all` }
      for (const key of keys) {
        const problem = textProblem(key)
        if (problem !== null) return { path: pathOf({ value: null, depth: depth + 1, parent: frame, key }), message: `key ${problem}` }
        if (RESERVED_METADATA_KEYS.has(key))
          return { path: pathOf({ value: null, depth: depth + 1, parent: frame, key }), message: `is a reserved key: use another name than ${key}` }
        textUnits += key.length
      }
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i] as string
        stack.push({ value: value[key], depth: depth + 1, parent: frame, key })
      }
    } else {
      return { path: pathOf(frame), message: 'must be a JSON value (object, array, string, number, boolean or null)' }
    }
    if (textUnits > limits.maxTextUnits)
      return { path: pathOf(frame), message: `must hold at most ${limits.maxTextUnits} characters of keys and strings in all` }
  }
  return null
}
