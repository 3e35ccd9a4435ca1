import type { TRPCRouterRecord } from '@trpc/server'

/** What a team lead looks at: case and decision metrics. */
export const teamRouter = {} satisfies TRPCRouterRecord
