import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { findBatchJob, listBatchJobs, rowErrorsDownload } from '../../services/batch/find-batch-jobs.ts'
import { allowed } from '../init.ts'

/** Batch CSV jobs (uploaded with `POST /batch-jobs`): progress, counts, rejected rows. */
export const batchJobsRouter = {
  list: allowed('batch:read')
    .input(z.object({ limit: z.number().int().min(1).max(100).default(20) }).default({ limit: 20 }))
    .query(({ ctx, input }) => listBatchJobs(ctx.db, ctx.orgId, input.limit)),

  /** One job with its progress and its first rejected rows (line, field, message). */
  get: allowed('batch:read')
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => findBatchJob(ctx.db, ctx.orgId, input.id)),

  /** A time-limited link to the full list of rejected rows (CSV). */
  errorsDownload: allowed('batch:read')
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => rowErrorsDownload(ctx.db, ctx.services.storage, ctx.orgId, input.id)),
} satisfies TRPCRouterRecord
