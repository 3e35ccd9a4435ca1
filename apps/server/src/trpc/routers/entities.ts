import type { TRPCRouterRecord } from '@trpc/server'

/** The entity view: an account's or merchant's profile and transactions. */
export const entitiesRouter = {} satisfies TRPCRouterRecord
