import type { WorkerDeps } from '../service-deps.ts'
import { emailSummaryIfOptedIn } from './email-summary.ts'
import { reportFileName } from './report-files.ts'
import { previousMonth, ZSummaryParameters } from './report-parameters.ts'
import { GENERATE_REPORT_QUEUE, MONTHLY_SUMMARIES_QUEUE, MONTHLY_SUMMARY_CRON } from './report-queues.ts'
import { runReport } from './run-report.ts'
import { fanOutMonthlySummaries } from './schedule-monthly-summaries.ts'

/** Report generation, the monthly schedule and its fan-out. */
export async function registerReportWorkers(deps: WorkerDeps): Promise<void> {
  const log = deps.log.child({ component: 'reports' })
  await deps.jobs.work(GENERATE_REPORT_QUEUE, async (job) => {
    const outcome = await runReport({ db: deps.db, storage: deps.storage, log }, job.data.reportId)
    if (outcome.status !== 'COMPLETED' || outcome.pdf === undefined) return
    const report = await deps.db.report.findUnique({ where: { id: job.data.reportId } })
    if (report === null || ZSummaryParameters.safeParse(report.parameters).data?.scheduled !== true) return
    await emailSummaryIfOptedIn(deps.db, deps.mailer, log, {
      orgId: report.orgId,
      reportId: report.id,
      periodLabel: outcome.pdf.periodLabel,
      fileName: reportFileName(report.type, report.format, report.createdAt, report.parameters),
      pdf: outcome.pdf.buffer,
      figures: outcome.pdf.figures,
    })
  })
  await deps.jobs.work(MONTHLY_SUMMARIES_QUEUE, async (job) => {
    // The month before the one the schedule fired in, even if the job runs late.
    await fanOutMonthlySummaries({ db: deps.db, jobs: deps.jobs, log }, job.data.month ?? previousMonth(job.createdOn))
  })
  await deps.jobs.schedule(MONTHLY_SUMMARIES_QUEUE, MONTHLY_SUMMARY_CRON, {}, { tz: 'UTC' })
}
