import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { findAnomalies, getAnomalyById, ZFindAnomaliesInput } from '../../services/anomalies/find-anomalies.ts'
import { decisionHistory } from '../../services/anomalies/decision-history.ts'
import { allowed } from '../init.ts'
import { ZRowId } from '../inputs.ts'

const readProcedure = allowed('anomalies:read')

export const anomaliesRouter = {
  list: readProcedure.input(ZFindAnomaliesInput).query(({ ctx, input }) => findAnomalies(ctx.db, ctx.orgId, input)),
  get: readProcedure.input(z.object({ id: ZRowId })).query(({ ctx, input }) => getAnomalyById(ctx.db, ctx.orgId, input.id)),
  /** Every decision on the anomaly, superseded ones included, newest first. */
  history: readProcedure.input(z.object({ id: ZRowId })).query(({ ctx, input }) => decisionHistory(ctx.db, ctx.orgId, input.id)),
} satisfies TRPCRouterRecord
