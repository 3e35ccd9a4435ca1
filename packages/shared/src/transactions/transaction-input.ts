import { z } from 'zod'
import { metadataProblem, zSafeText } from '../validation/safe-text.ts'
import { zTimeInput } from '../validation/time-bounds.ts'

// Every text field and the metadata document go through the one sanitising step
// (validation/safe-text.ts): no NUL, no lone surrogate, bounded sizes. Text Postgres
// cannot store would fail the statement that stores a whole batch, so it is refused
// here, as the one item's field error (`category`, `metadata.a.b`).
const text = (max: number) => zSafeText(max)
const id = () => zSafeText(128, { min: 1 })

/**
 * One financial transaction as clients send it: the real-time API, batch CSVs (after
 * column mapping), the desktop's offline scorer and the seed generator all produce
 * this shape. Timestamps come in as ISO 8601 strings or epoch milliseconds and leave
 * as epoch milliseconds, the unit every feature works in.
 */
export const ZTransactionInput = z
  .object({
    txId: id(),
    timestamp: zTimeInput(),
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
    // Not z.record: it copies the object key by key, and a `__proto__` key (an own
    // property after JSON.parse) would silently vanish. metadataProblem refuses that
    // key by name; the document is otherwise kept exactly as sent.
    metadata: z
      .custom<Record<string, unknown>>()
      .superRefine((metadata, ctx) => {
        const problem = metadataProblem(metadata)
        if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path })
      })
      .optional(),
  })
  .strict()

export type TTransactionInput = z.input<typeof ZTransactionInput>
/** A validated transaction: timestamp in epoch ms, currency upper-case. */
export type TTransaction = z.output<typeof ZTransactionInput>
