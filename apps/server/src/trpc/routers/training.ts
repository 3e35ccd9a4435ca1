import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { getTrainingJob, listTrainingJobs } from '../../services/training/list-training-jobs.ts'
import { startTraining } from '../../services/training/start-training.ts'
import { allowed } from '../init.ts'
import { ZRowId } from '../inputs.ts'

/** Retraining on the user's labels (plan feature 'retraining'), and the jobs' progress and reports. */
export const trainingRouter = {
  start: allowed('models:manage').mutation(({ ctx }) => startTraining(ctx.db, ctx.services.jobs, ctx.orgId, 'MANUAL')),
  // Read-outs of the registry's training: API keys need `models:read`, as for models.list.
  list: allowed('models:read')
    .input(z.strictObject({ limit: z.number().int().min(1).max(100).default(20) }).default({ limit: 20 }))
    .query(({ ctx, input }) => listTrainingJobs(ctx.db, ctx.orgId, input.limit)),
  get: allowed('models:read')
    .input(z.strictObject({ id: ZRowId }))
    .query(({ ctx, input }) => getTrainingJob(ctx.db, ctx.orgId, input.id)),
} satisfies TRPCRouterRecord
