import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { ZBacktestStartInput } from '@anomalyze/shared'
import { getBacktest, latestBacktest, startBacktest } from '../../services/rules/backtest/manage-backtests.ts'
import { allowed } from '../init.ts'

/** Backtests of draft rule sets over the organisation's recent transactions (a background job with progress). */
export const ruleBacktestsRouter = {
  start: allowed('rules:draft')
    .input(ZBacktestStartInput)
    .mutation(({ ctx, input }) => startBacktest(ctx.db, ctx.services.jobs, ctx.actor, input)),
  get: allowed('rules:read')
    .input(z.strictObject({ id: z.string().min(1).max(100) }))
    .query(({ ctx, input }) => getBacktest(ctx.db, ctx.orgId, input.id)),
  latest: allowed('rules:read')
    .input(z.strictObject({ rulesHash: z.string().max(128).optional() }).default({}))
    .query(({ ctx, input }) => latestBacktest(ctx.db, ctx.orgId, input.rulesHash)),
} satisfies TRPCRouterRecord
