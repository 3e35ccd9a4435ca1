import type { Db } from '../../db/prisma.ts'
import type { JobQueue } from '../../jobs/job-queue.ts'
import type { Logger } from '../../logger.ts'
import { GENERATE_REPORT_QUEUE } from './report-queues.ts'

const ORG_PAGE = 500

/**
 * Fans the monthly run out: one MONTHLY_SUMMARY report and one generate-report job
 * per organisation (the tenant: a team or a person's own workspace; a User row alone
 * owns nothing). Idempotent per organisation and month (a re-fired schedule or a
 * retried fan-out creates nothing twice), and paged so the list is never loaded whole.
 */
export async function fanOutMonthlySummaries(deps: { db: Db; jobs: JobQueue; log: Logger }, month: string): Promise<{ created: number; existing: number }> {
  const { db, jobs, log } = deps
  let created = 0
  let existing = 0
  let after: string | undefined
  for (;;) {
    const orgs = await db.organization.findMany({
      select: { id: true },
      orderBy: { id: 'asc' },
      take: ORG_PAGE,
      ...(after === undefined ? {} : { where: { id: { gt: after } } }),
    })
    for (const { id: orgId } of orgs) {
      const found = await db.report.findFirst({
        where: {
          orgId,
          type: 'MONTHLY_SUMMARY',
          AND: [{ parameters: { path: ['month'], equals: month } }, { parameters: { path: ['scheduled'], equals: true } }],
        },
        select: { id: true, status: true },
      })
      const report =
        found ??
        (await db.report.create({
          data: { orgId, type: 'MONTHLY_SUMMARY', format: 'PDF', parameters: { month, scheduled: true } },
          select: { id: true, status: true },
        }))
      if (found) existing += 1
      else created += 1
      // A report left QUEUED (fan-out interrupted before its send) gets its job now.
      if (report.status === 'QUEUED') await jobs.send(GENERATE_REPORT_QUEUE, { reportId: report.id }, { singletonKey: `report:${report.id}` })
    }
    if (orgs.length < ORG_PAGE) break
    after = orgs.at(-1)?.id
  }
  log.info({ month, created, existing }, 'monthly summaries queued')
  return { created, existing }
}
