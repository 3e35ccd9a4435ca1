import { z } from 'zod'
import { ANOMALY_STATUSES, LABEL_KINDS, MAPPABLE_FIELDS, SEVERITIES } from '@anomalyze/shared'
import type { CoreArgs, CoreMethod } from '../../contract/handlers.ts'
import { QUEUE_SORTS } from '../../contract/queue.ts'
import { MAX_ROWS_PER_CALL } from '../store/queue-queries.ts'

/**
 * Arguments arrive from IPC or HTTP as untyped JSON: each method's are parsed here
 * before a handler sees them. `satisfies` ties every schema to the contract's type.
 */
const empty = z.object({}).strict()

const filters = z
  .object({
    severities: z.array(z.enum(SEVERITIES)).optional(),
    statuses: z.array(z.enum(ANOMALY_STATUSES)).optional(),
    rule: z.string().max(100).optional(),
    amountMin: z.number().finite().optional(),
    amountMax: z.number().finite().optional(),
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    accountId: z.string().max(128).optional(),
    text: z.string().max(200).optional(),
    batchId: z.string().max(100).nullable().optional(),
    moved: z.boolean().optional(),
  })
  .strict()

const source = z.union([
  z.object({ path: z.string().min(1).max(4_096) }).strict(),
  z.object({ uploadId: z.string().min(1).max(100) }).strict(),
])
const mapping = z.partialRecord(z.enum(MAPPABLE_FIELDS), z.number().int().min(0).max(10_000))

export const ARG_SCHEMAS = {
  'queue.snapshot': z.object({ filters, sort: z.enum(QUEUE_SORTS) }).strict(),
  'queue.head': z.object({ filters, sort: z.enum(QUEUE_SORTS), size: z.number().int().min(0).max(MAX_ROWS_PER_CALL) }).strict(),
  'queue.rows': z.object({ keys: z.array(z.number().int()).max(1_000) }).strict(),
  'queue.facets': empty,
  'anomaly.get': z.object({ id: z.string().min(1) }).strict(),
  'account.history': z.object({ accountId: z.string().min(1), limit: z.number().int().min(1).max(500).optional() }).strict(),
  'decision.record': z
    .object({
      anomalyIds: z.array(z.string().min(1)).min(1).max(10_000),
      label: z.enum(LABEL_KINDS),
      note: z.string().max(2_000).optional(),
    })
    .strict(),
  'decision.undo': empty,
  'dashboard.get': z.object({ batchId: z.string().nullable().optional() }).strict(),
  'sync.status': empty,
  'sync.now': empty,
  'session.signIn': z.object({ serverUrl: z.url(), token: z.string().min(1).max(4_000) }).strict(),
  'session.signOut': empty,
  'scoring.availability': empty,
  'scoring.inspect': z.object({ source }).strict(),
  'scoring.start': z.object({ source, mapping, name: z.string().max(200).optional() }).strict(),
  'scoring.job': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  'scoring.cancel': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  'scoring.batches': empty,
  'scoring.badRows': z
    .object({ batchId: z.string().min(1).max(100), offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(1_000).optional() })
    .strict(),
  'scoring.export': z.union([
    z.object({ batchId: z.string().min(1).max(100), path: z.string().min(1).max(4_096) }).strict(),
    z.object({ batchId: z.string().min(1).max(100), fileName: z.string().min(1).max(200), overwrite: z.boolean().optional() }).strict(),
  ]),
  'scoring.uploadProgress': empty,
  'scoring.uploadBatch': z.object({ source, mapping, fileName: z.string().max(200).optional() }).strict(),
  'session.refreshToken': z.object({ token: z.string().min(1).max(8_192) }).strict(),
  'app.config': empty,
  'server.call': z
    .object({
      type: z.enum(['query', 'mutation']),
      path: z.string().regex(/^[a-zA-Z][\w]*(\.[a-zA-Z][\w]*)+$/, 'must be a procedure path such as "billing.overview"'),
      input: z.unknown().optional(),
    })
    .strict(),
} satisfies { [M in CoreMethod]: z.ZodType<CoreArgs<M>> }
