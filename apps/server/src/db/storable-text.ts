import { toSafeText } from '@anomalyze/shared'

/**
 * Text a third party sent (a webhook body), made storable in Postgres, which refuses
 * NUL (in text and in jsonb, also as the `\\u0000` escape) and unpaired UTF-16
 * surrogates: both become U+FFFD (the shared rule, validation/safe-text.ts), so what
 * was sent is kept, readably, instead of failing the write. Nothing is cut.
 */
export function storableText(text: string): string {
  return toSafeText(text, Number.POSITIVE_INFINITY)
}

/** The same for every string (and object key) of a parsed JSON value. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value)
  if (Array.isArray(value)) return value.map(storableJson)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [storableText(key), storableJson(inner)]))
  }
  return value
}
