import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import { AppError } from '@anomalyze/shared'
import { parseMappingOverrides } from '@anomalyze/shared/engine'
import type { AppServices } from '../service-deps.ts'
import type { Session } from '../../auth/session.ts'
import type { Db } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import { recordUsage } from '../limits/record-usage.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { enforceUsageLimits } from '../limits/enforce-usage-limits.ts'
import { assertMonthlyQuota } from '../limits/monthly-quota.ts'
import { BATCH_QUEUE, BATCH_SEND_OPTIONS } from './batch-queue.ts'
import { LineCounter } from './line-counter.ts'

export interface CreateBatchJobInput {
  session: Session
  fileName: string | undefined
  /** `column=field,column=field` overrides of the auto-detected mapping. */
  map: string | undefined
  body: Readable
  maxBytes: number
  request: { ip?: string | undefined; userAgent?: string | undefined }
}

export interface CreatedBatchJob {
  id: string
  status: 'QUEUED'
  fileName: string
  totalRows: number
  sizeBytes: number
}

/** The stored mapping: what the uploader asked for, and (once read) what the header resolved to. */
export interface StoredColumnMapping {
  overrides: Record<string, string>
  resolved?: Record<string, string>
}

/**
 * Streams an uploaded CSV into object storage (counting its rows on the way, never
 * holding it), then creates the QUEUED BatchJob and its first pg-boss job. The file's
 * content is not validated here: the worker reports problems per line.
 */
export async function createBatchJob(db: Db, services: AppServices, log: Pick<Logger, 'info'>, input: CreateBatchJobInput): Promise<CreatedBatchJob> {
  const { session } = input
  const fileName = (input.fileName ?? '').trim()
  if (fileName === '' || fileName.length > 200) {
    throw new AppError('BAD_INPUT', 'Give the file name as ?fileName=... (1 to 200 characters)', { field: 'fileName' })
  }
  const specs = (input.map ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  let overrides: Map<string, string>
  try {
    overrides = parseMappingOverrides(specs)
  } catch (error) {
    throw new AppError('BAD_INPUT', `map: ${(error as Error).message}`, { field: 'map' })
  }

  // One request against the rate limit (the key's, or the members'), and no upload at all once the quota is spent.
  const entitlements = await enforceUsageLimits(db, session, 1)

  const id = randomUUID()
  const key = `users/${session.orgId}/batches/${id}.csv`
  const counter = new LineCounter(input.maxBytes)
  // A client that disconnects mid-body fails the counter, so the store's all-or-nothing
  // put keeps nothing instead of waiting forever. Not `pipeline`: a refusal (file over
  // the limit) must leave the request stream open, so that the route can read the
  // rest and the client receives the refusal instead of a reset connection.
  const counted = input.body.pipe(counter)
  input.body.once('error', (error) => counter.destroy(error))
  input.body.once('close', () => {
    if (!input.body.readableEnded) counter.destroy(new AppError('BAD_INPUT', 'The upload was interrupted before the end of the file', { field: 'body' }))
  })
  const stored = await services.storage.put(key, counted, { contentType: 'text/csv' })
  const totalRows = Math.max(0, counter.lines - 1)
  if (totalRows === 0) {
    await services.storage.delete(key)
    throw new AppError('BAD_INPUT', 'The file has no data rows (a header row and at least one transaction are needed)', { field: 'body' })
  }
  try {
    // Every row may be accepted: the file must fit in what is left of the month.
    await assertMonthlyQuota(db, session.orgId, entitlements, totalRows)
  } catch (error) {
    await services.storage.delete(key)
    throw error
  }

  const columnMapping: StoredColumnMapping = { overrides: Object.fromEntries(overrides) }
  await db.$transaction(async (tx) => {
    await tx.batchJob.create({ data: { id, orgId: session.orgId, fileName, r2Key: key, status: 'QUEUED', totalRows, columnMapping: { ...columnMapping } } })
    await recordAudit(
      tx,
      {
        orgId: session.orgId,
        userId: session.apiKeyId ? null : session.userId,
        actor: session.apiKeyId ? `apikey:${session.apiKeyId}` : (session.userId ?? session.orgId),
        ip: input.request.ip,
        userAgent: input.request.userAgent,
      },
      { action: 'batch_job.create', entityType: 'BatchJob', entityId: id, oldData: null, newData: { fileName, totalRows, sizeBytes: stored.size } },
    )
  })
  await recordUsage(db, session.orgId, session.apiKeyId ?? null, 0)
  await services.jobs.send(BATCH_QUEUE, { batchJobId: id, apiKeyId: session.apiKeyId ?? null }, BATCH_SEND_OPTIONS)
  log.info({ batchJobId: id, orgId: session.orgId, totalRows, bytes: stored.size }, 'batch file stored, job queued')
  return { id, status: 'QUEUED', fileName, totalRows, sizeBytes: stored.size }
}
