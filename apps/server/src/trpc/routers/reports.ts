import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { createReport, getReport, listReports, reportDownloadUrl } from '../../services/reports/manage-reports.ts'
import { reportDefaults } from '../../services/reports/report-defaults.ts'
import { ZCreateReportInput } from '../../services/reports/report-parameters.ts'
import { allowed } from '../init.ts'

// Reports are read-outs of anomalies: API keys need the same scope as anomalies.list.
const readProcedure = allowed('reports:read')
const ZReportId = z.strictObject({ id: z.string().uuid() })

export const reportsRouter = {
  create: allowed('reports:run')
    .input(ZCreateReportInput)
    .mutation(({ ctx, input }) => createReport(ctx.db, ctx.services, ctx.actor, input)),
  list: readProcedure
    .input(z.strictObject({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(({ ctx, input }) => listReports(ctx.db, ctx.orgId, input.limit)),
  /** The months the report forms start from: where this organisation's data is. */
  defaults: readProcedure.query(({ ctx }) => reportDefaults(ctx.db, ctx.orgId)),
  get: readProcedure.input(ZReportId).query(({ ctx, input }) => getReport(ctx.db, ctx.orgId, input.id)),
  downloadUrl: readProcedure.input(ZReportId).mutation(({ ctx, input }) => reportDownloadUrl(ctx.db, ctx.services, ctx.actor, input.id)),
} satisfies TRPCRouterRecord
