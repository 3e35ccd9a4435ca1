import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { meterRealtimeUsage } from '../../services/limits/realtime-usage.ts'
import { ingestTransactions, MAX_INGEST_BATCH } from '../../services/ingestion/ingest-transactions.ts'
import { notifyAnomaliesSoon } from '../../services/notifications/alert-coalescer.ts'
import { enforceApiKeyLimits, mustCheckLimitsFirst } from '../../services/limits/enforce-api-limits.ts'
import { scopedProcedure } from '../init.ts'

export const ingestRouter = {
  /**
   * 1 to 1,000 transactions. Items are validated one by one (see the response's
   * `items`): a bad item never blocks the good ones in the same call. API keys are
   * rate limited per minute and metered against the plan's monthly quota (429
   * LIMIT_EXCEEDED with the limit, use and reset time).
   */
  transactions: scopedProcedure('ingest:write')
    .input(
      z.object({
        transactions: z
          .array(z.unknown())
          .min(1, 'send at least one transaction')
          .max(MAX_INGEST_BATCH, `at most ${MAX_INGEST_BATCH} transactions per call; use a batch CSV job for more`),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      // Checked alongside the ingest's first round trip, which commits nothing before
      // the check passes (see mustCheckLimitsFirst for keys refused lately).
      const admitted = enforceApiKeyLimits(ctx.db, ctx.session, input.transactions.length)
      if (mustCheckLimitsFirst(ctx.session)) await admitted
      const result = await ingestTransactions(ctx.db, ctx.services.models, ctx.userId, input.transactions, { admitted })
      if (ctx.session.apiKeyId) meterRealtimeUsage(ctx.db, { userId: ctx.userId, apiKeyId: ctx.session.apiKeyId, transactions: result.accepted })
      notifyAnomaliesSoon(ctx.services.jobs, ctx.userId, result.anomalies.map((a) => a.id), ctx.log)
      return result
    }),
} satisfies TRPCRouterRecord
