import type { TRPCRouterRecord } from '@trpc/server'

/** Cases: pull, push (the console outbox), get, list, open, merge, split (filled in by the cases service). */
export const casesRouter = {} satisfies TRPCRouterRecord
