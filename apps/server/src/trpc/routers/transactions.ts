import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { findTransactions, getTransactionById, ZFindTransactionsInput } from '../../services/transactions/find-transactions.ts'
import { allowed } from '../init.ts'
import { ZRowId } from '../inputs.ts'

const readProcedure = allowed('transactions:read')

export const transactionsRouter = {
  list: readProcedure.input(ZFindTransactionsInput).query(({ ctx, input }) => findTransactions(ctx.db, ctx.orgId, input)),
  get: readProcedure.input(z.object({ id: ZRowId })).query(({ ctx, input }) => getTransactionById(ctx.db, ctx.orgId, input.id)),
} satisfies TRPCRouterRecord
