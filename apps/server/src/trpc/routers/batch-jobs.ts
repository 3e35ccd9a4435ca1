import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { findBatchJob, listBatchJobs, rowErrorsDownload } from '../../services/batch/find-batch-jobs.ts'
import { scopedProcedure } from '../init.ts'

/** Batch CSV jobs (uploaded with `POST /batch-jobs`): progress, counts, rejected rows. */
export const batchJobsRouter = {
  list: scopedProcedure('ingest:write')
    .input(z.object({ limit: z.number().int().min(1).max(100).default(20) }).default({ limit: 20 }))
    .query(({ ctx, input }) => listBatchJobs(ctx.db, ctx.userId, input.limit)),

  /** One job with its progress and its first rejected rows (line, field, message). */
  get: scopedProcedure('ingest:write')
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => findBatchJob(ctx.db, ctx.userId, input.id)),

  /** A time-limited link to the full list of rejected rows (CSV). */
  errorsDownload: scopedProcedure('ingest:write')
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => rowErrorsDownload(ctx.db, ctx.services.storage, ctx.userId, input.id)),
} satisfies TRPCRouterRecord
