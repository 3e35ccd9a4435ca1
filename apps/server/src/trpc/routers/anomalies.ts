import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { findAnomalies, getAnomalyById, ZFindAnomaliesInput } from '../../services/anomalies/find-anomalies.ts'
import { scopedProcedure } from '../init.ts'
import { ZRowId } from '../inputs.ts'

const readProcedure = scopedProcedure('anomalies:read')

export const anomaliesRouter = {
  list: readProcedure.input(ZFindAnomaliesInput).query(({ ctx, input }) => findAnomalies(ctx.db, ctx.userId, input)),
  get: readProcedure.input(z.object({ id: ZRowId })).query(({ ctx, input }) => getAnomalyById(ctx.db, ctx.userId, input.id)),
} satisfies TRPCRouterRecord
