import type { TRPCRouterRecord } from '@trpc/server'
import { auditFacets, listAudit, ZAuditListInput } from '../../services/audit/list-audit.ts'
import { allowed } from '../init.ts'

export const auditRouter = {
  /** The caller's own trail, newest first, filtered and paged by cursor. */
  list: allowed('audit:read')
    .input(ZAuditListInput)
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.orgId, input)),
  facets: allowed('audit:read').query(({ ctx }) => auditFacets(ctx.db, ctx.orgId)),
} satisfies TRPCRouterRecord
