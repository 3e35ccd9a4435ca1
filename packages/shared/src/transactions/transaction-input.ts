import { z } from 'zod'

// Postgres text cannot hold U+0000: one such character would fail the statement that
// stores a whole batch, so it is refused here, as the one item's field error.
const NUL = '\u0000'
const NO_NUL = 'must not contain a NUL character (\\u0000)'
const text = (max: number) => z.string().trim().max(max).refine((s) => !s.includes(NUL), NO_NUL)
const id = () => z.string().trim().min(1, 'must not be empty').max(128).refine((s) => !s.includes(NUL), NO_NUL)

/** Where in a JSON value a key or string holds a NUL character, if anywhere. */
function nulPath(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulPath(item, [...path, i])
      if (found) return found
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = key.includes(NUL) ? [...path, key] : nulPath(item, [...path, key])
      if (found) return found
    }
  }
  return null
}

/**
 * One financial transaction as clients send it: the real-time API, batch CSVs (after
 * column mapping), the desktop's offline scorer and the seed generator all produce
 * this shape. Timestamps come in as ISO 8601 strings or epoch milliseconds and leave
 * as epoch milliseconds, the unit every feature works in.
 */
export const ZTransactionInput = z
  .object({
    txId: id(),
    timestamp: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).transform((value) =>
      typeof value === 'number' ? value : Date.parse(value),
    ),
    amount: z.number().finite().nonnegative().max(1e12),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code')
      .transform((c) => c.toUpperCase())
      .default('INR'),
    accountId: id(),
    merchantId: id(),
    category: text(64).optional(),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be a 2-letter ISO 3166 code')
      .transform((c) => c.toUpperCase())
      .optional(),
    channel: text(32).optional(),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .superRefine((metadata, ctx) => {
        const path = nulPath(metadata)
        if (path) ctx.addIssue({ code: 'custom', message: NO_NUL, path })
      })
      .optional(),
  })
  .strict()

export type TTransactionInput = z.input<typeof ZTransactionInput>
/** A validated transaction: timestamp in epoch ms, currency upper-case. */
export type TTransaction = z.output<typeof ZTransactionInput>
