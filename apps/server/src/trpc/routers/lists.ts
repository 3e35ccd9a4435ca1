import type { TRPCRouterRecord } from '@trpc/server'

/** Filled in by #21 (rules as data). */
export const listsRouter = {} satisfies TRPCRouterRecord
