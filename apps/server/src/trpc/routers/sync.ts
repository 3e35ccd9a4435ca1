import type { TRPCRouterRecord } from '@trpc/server'
import { ZPullInput, ZPullOutput, ZPushInput, ZPushOutput } from '@anomalyze/shared'
import { pullChanges } from '../../services/sync/pull-changes.ts'
import { pushDecisions } from '../../services/sync/push-decisions.ts'
import { maybeAutoRetrain } from '../../services/training/start-training.ts'
import { allowed } from '../init.ts'

/** Desktop sync, protocol v1 (packages/shared/src/sync/contract.ts). */
export const syncRouter = {
  pull: allowed('anomalies:read')
    .input(ZPullInput)
    .output(ZPullOutput)
    .query(({ ctx, input }) => pullChanges(ctx.db, ctx.orgId, input)),
  push: allowed('anomalies:decide')
    .input(ZPushInput)
    .output(ZPushOutput)
    .mutation(({ ctx, input }) =>
      pushDecisions(
        ctx.db,
        ctx.services.models,
        ctx.actor,
        input.decisions,
        async () => void (await maybeAutoRetrain(ctx.db, ctx.services, ctx.orgId, ctx.log)),
      ),
    ),
} satisfies TRPCRouterRecord
