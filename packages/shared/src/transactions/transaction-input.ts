import { z } from 'zod'

/**
 * One financial transaction as clients send it: the real-time API, batch CSVs (after
 * column mapping), the desktop's offline scorer and the seed generator all produce
 * this shape. Timestamps come in as ISO 8601 strings or epoch milliseconds and leave
 * as epoch milliseconds, the unit every feature works in.
 */
export const ZTransactionInput = z
  .object({
    txId: z.string().trim().min(1, 'must not be empty').max(128),
    timestamp: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).transform((value) =>
      typeof value === 'number' ? value : Date.parse(value),
    ),
    amount: z.number().finite().nonnegative().max(1e12),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code')
      .transform((c) => c.toUpperCase())
      .default('INR'),
    accountId: z.string().trim().min(1, 'must not be empty').max(128),
    merchantId: z.string().trim().min(1, 'must not be empty').max(128),
    category: z.string().trim().max(64).optional(),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be a 2-letter ISO 3166 code')
      .transform((c) => c.toUpperCase())
      .optional(),
    channel: z.string().trim().max(32).optional(),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()

export type TTransactionInput = z.input<typeof ZTransactionInput>
/** A validated transaction: timestamp in epoch ms, currency upper-case. */
export type TTransaction = z.output<typeof ZTransactionInput>
