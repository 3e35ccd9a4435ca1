import type { TRPCRouterRecord } from '@trpc/server'

/** The organisation's case settings: SLA per priority, round-robin assignment, who is on duty. */
export const caseSettingsRouter = {} satisfies TRPCRouterRecord
