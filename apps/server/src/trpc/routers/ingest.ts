import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { ingestApiCall } from '../../services/ingestion/ingest-api-call.ts'
import { MAX_INGEST_BATCH } from '../../services/ingestion/ingest-transactions.ts'
import { allowed } from '../init.ts'

export const ingestRouter = {
  /**
   * 1 to 1,000 transactions. Items are validated one by one (see the response's
   * `items`): a bad item never blocks the good ones in the same call. API keys are
   * rate limited per minute and metered against the plan's monthly quota (429
   * LIMIT_EXCEEDED with the limit, use and reset time).
   */
  transactions: allowed('ingest:write')
    .input(
      z.object({
        transactions: z
          .array(z.unknown())
          .min(1, 'send at least one transaction')
          .max(MAX_INGEST_BATCH, `at most ${MAX_INGEST_BATCH} transactions per call; use a batch CSV job for more`),
      }),
    )
    .mutation(({ ctx, input }) => ingestApiCall(ctx.db, ctx.services, ctx.session, ctx.log, input.transactions)),
} satisfies TRPCRouterRecord
