import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import type { Session } from '../../auth/session.ts'
import type { AuditActor } from '../../services/audit/record-audit.ts'
import { createReport, getReport, listReports, reportDownloadUrl } from '../../services/reports/manage-reports.ts'
import { ZCreateReportInput } from '../../services/reports/report-parameters.ts'
import type { RequestMeta } from '../context.ts'
import { scopedProcedure } from '../init.ts'

// Reports are read-outs of anomalies: API keys need the same scope as anomalies.list.
const readProcedure = scopedProcedure('anomalies:read')
const ZReportId = z.strictObject({ id: z.string().uuid() })

export const reportsRouter = {
  create: readProcedure.input(ZCreateReportInput).mutation(({ ctx, input }) =>
    createReport(ctx.db, ctx.services, actorOf(ctx), input),
  ),
  list: readProcedure
    .input(z.strictObject({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(({ ctx, input }) => listReports(ctx.db, ctx.userId, input.limit)),
  get: readProcedure.input(ZReportId).query(({ ctx, input }) => getReport(ctx.db, ctx.userId, input.id)),
  downloadUrl: readProcedure.input(ZReportId).mutation(({ ctx, input }) => reportDownloadUrl(ctx.db, ctx.services, actorOf(ctx), input.id)),
} satisfies TRPCRouterRecord

function actorOf(ctx: { userId: string; session: Session; request: RequestMeta }): AuditActor {
  const actor = ctx.session.apiKeyId === undefined ? ctx.userId : `apikey:${ctx.session.apiKeyId}`
  return { userId: ctx.userId, actor, ip: ctx.request.ip, userAgent: ctx.request.userAgent }
}
