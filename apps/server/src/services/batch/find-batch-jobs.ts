import { AppError } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import type { BatchRowError } from './batch-row-errors.ts'

const summarySelect = {
  id: true,
  fileName: true,
  status: true,
  totalRows: true,
  processedRows: true,
  acceptedRows: true,
  duplicateRows: true,
  rejectedRows: true,
  failureReason: true,
  rowErrorsKey: true,
  createdAt: true,
  startedAt: true,
  completedAt: true,
} as const satisfies Prisma.BatchJobSelect

type SummaryRow = Prisma.BatchJobGetPayload<{ select: typeof summarySelect }>

function toSummary(row: SummaryRow) {
  const { rowErrorsKey, ...rest } = row
  const progress = row.status === 'COMPLETED' ? 1 : row.totalRows ? Math.min(1, row.processedRows / row.totalRows) : 0
  return { ...rest, progress, hasErrorsFile: rowErrorsKey !== null }
}

export type BatchJobSummary = ReturnType<typeof toSummary>

export async function listBatchJobs(db: Db, orgId: string, limit: number): Promise<BatchJobSummary[]> {
  const rows = await db.batchJob.findMany({ where: { orgId }, select: summarySelect, orderBy: { createdAt: 'desc' }, take: limit })
  return rows.map(toSummary)
}

export async function findBatchJob(db: Db, orgId: string, id: string) {
  const row = await db.batchJob.findFirst({ where: { id, orgId }, select: { ...summarySelect, rowErrors: true, columnMapping: true } })
  if (row === null) throw new AppError('NOT_FOUND', `No batch job ${id}`)
  const { rowErrors, columnMapping, ...summary } = row
  return {
    ...toSummary(summary),
    rowErrors: (Array.isArray(rowErrors) ? rowErrors : []) as unknown as BatchRowError[],
    columnMapping: (columnMapping ?? null) as { overrides: Record<string, string>; resolved?: Record<string, string> } | null,
  }
}

export async function rowErrorsDownload(db: Db, storage: ObjectStore, orgId: string, id: string): Promise<{ url: string; expiresAt: string }> {
  const row = await db.batchJob.findFirst({ where: { id, orgId }, select: { rowErrorsKey: true, fileName: true } })
  if (row === null) throw new AppError('NOT_FOUND', `No batch job ${id}`)
  if (row.rowErrorsKey === null) throw new AppError('NOT_FOUND', 'This job has no rejected rows to download (or has not finished yet)')
  const expiresInSeconds = 15 * 60
  const fileName = `${row.fileName.replace(/\.csv$/i, '')}-rejected-rows.csv`
  const url = await storage.downloadUrl(row.rowErrorsKey, { expiresInSeconds, fileName })
  return { url, expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString() }
}
