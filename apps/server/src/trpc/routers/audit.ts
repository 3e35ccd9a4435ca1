import type { TRPCRouterRecord } from '@trpc/server'
import { auditFacets, listAudit, ZAuditListInput } from '../../services/audit/list-audit.ts'
import { userProcedure } from '../init.ts'

export const auditRouter = {
  /** The caller's own trail, newest first, filtered and paged by cursor. */
  list: userProcedure.input(ZAuditListInput).query(({ ctx, input }) => listAudit(ctx.db, ctx.userId, input)),
  facets: userProcedure.query(({ ctx }) => auditFacets(ctx.db, ctx.userId)),
} satisfies TRPCRouterRecord
