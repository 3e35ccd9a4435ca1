import type { TRPCRouterRecord } from '@trpc/server'
import { ZTeamMetricsInput } from '@anomalyze/shared'
import { teamMetrics } from '../../services/team-metrics/team-metrics.ts'
import { allowed } from '../init.ts'

/** What a team lead looks at: case and decision metrics. */
export const teamRouter = {
  metrics: allowed('cases:read')
    .input(ZTeamMetricsInput.default({ days: 30 }))
    .query(({ ctx, input }) => teamMetrics(ctx.db, ctx.orgId, input.days, Date.now())),
} satisfies TRPCRouterRecord
