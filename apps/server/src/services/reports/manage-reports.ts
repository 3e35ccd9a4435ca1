import { AppError } from '@anomalyze/shared'
import type { AppServices } from '../service-deps.ts'
import type { Db, Prisma } from '../../db/prisma.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import { describeReport } from './describe-report.ts'
import { reportFileName } from './report-files.ts'
import type { TCreateReportInput } from './report-parameters.ts'
import { GENERATE_REPORT_QUEUE } from './report-queues.ts'

/** What clients see of a report: never the storage key itself. */
export const reportSelect = {
  id: true,
  type: true,
  format: true,
  parameters: true,
  status: true,
  progress: true,
  rowCount: true,
  error: true,
  fileUrl: true,
  createdAt: true,
  completedAt: true,
} satisfies Prisma.ReportSelect

type ReportRow = Prisma.ReportGetPayload<{ select: typeof reportSelect }>

export function toReportDto(row: ReportRow) {
  return {
    id: row.id,
    type: row.type,
    format: row.format,
    parameters: row.parameters,
    /** The parameters as one readable line ("Monthly summary · Nov 2026 · PDF"). */
    title: describeReport(row.type, row.format, row.parameters),
    status: row.status,
    progress: row.progress,
    rowCount: row.rowCount,
    error: row.error,
    downloadable: row.status === 'COMPLETED' && row.fileUrl !== null,
    fileName: reportFileName(row.type, row.format, row.createdAt, row.parameters),
    createdAt: row.createdAt.getTime(),
    completedAt: row.completedAt?.getTime() ?? null,
  }
}
export type ReportDto = ReturnType<typeof toReportDto>

/**
 * Records the request and queues its job. If the queue refuses, the report is marked
 * FAILED with that reason (so it does not sit QUEUED forever) and the caller is told.
 */
export async function createReport(db: Db, services: Pick<AppServices, 'jobs'>, actor: AuditActor, input: TCreateReportInput): Promise<ReportDto> {
  const row = await db.$transaction(async (tx) => {
    const created = await tx.report.create({
      data: {
        orgId: actor.orgId,
        requestedById: actor.userId ?? null,
        type: input.type,
        format: input.format,
        parameters: input.parameters as Prisma.InputJsonObject,
      },
      select: reportSelect,
    })
    await recordAudit(tx, actor, {
      action: 'report.create',
      entityType: 'Report',
      entityId: created.id,
      newData: { type: input.type, format: input.format, parameters: input.parameters as Prisma.InputJsonObject },
    })
    return created
  })
  try {
    await services.jobs.send(GENERATE_REPORT_QUEUE, { reportId: row.id }, { singletonKey: `report:${row.id}` })
  } catch (error) {
    const reason = `could not be queued: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500)
    await db.report.update({ where: { id: row.id }, data: { status: 'FAILED', error: reason, completedAt: new Date() } })
    throw new AppError('UNAVAILABLE', `The report ${reason}`, { reportId: row.id })
  }
  return toReportDto(row)
}

export async function listReports(db: Db, orgId: string, limit: number): Promise<ReportDto[]> {
  const rows = await db.report.findMany({ where: { orgId }, select: reportSelect, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit })
  return rows.map(toReportDto)
}

export async function getReport(db: Db, orgId: string, id: string): Promise<ReportDto> {
  const row = await db.report.findFirst({ where: { id, orgId }, select: reportSelect })
  if (row === null) throw new AppError('NOT_FOUND', `No report with id ${id}`)
  return toReportDto(row)
}

const LINK_SECONDS = 15 * 60

/** A time-limited link to a finished report's file. */
export async function reportDownloadUrl(
  db: Db,
  services: Pick<AppServices, 'storage'>,
  actor: AuditActor,
  id: string,
): Promise<{ url: string; expiresAt: number; fileName: string }> {
  const row = await db.report.findFirst({ where: { id, orgId: actor.orgId }, select: reportSelect })
  if (row === null) throw new AppError('NOT_FOUND', `No report with id ${id}`)
  if (row.status !== 'COMPLETED' || row.fileUrl === null) {
    throw new AppError('CONFLICT', `Report ${id} is ${row.status.toLowerCase()}: it can be downloaded once it is completed`, { status: row.status })
  }
  const fileName = reportFileName(row.type, row.format, row.createdAt, row.parameters)
  const url = await services.storage.downloadUrl(row.fileUrl, { expiresInSeconds: LINK_SECONDS, fileName })
  await recordAudit(db, actor, { action: 'report.download', entityType: 'Report', entityId: id })
  return { url, expiresAt: Date.now() + LINK_SECONDS * 1000, fileName }
}
