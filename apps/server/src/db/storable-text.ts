/**
 * Text Postgres can store: it refuses NUL (in text and in jsonb, also as the `\u0000`
 * escape) and unpaired UTF-16 surrogates (which have no UTF-8 form). Both become
 * U+FFFD, so what a third party sent is kept, readably, instead of failing the write.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what Postgres refuses
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD')
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
