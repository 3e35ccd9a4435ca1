import { once } from 'node:events'
import type { Readable } from 'node:stream'
import { ZodError } from 'zod'
import type { Db } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import { CASE_COLUMNS, casesQuery, withEventDetail } from './cases-export.ts'
import { csvExportStream, type CsvProgress } from './csv-export-stream.ts'
import { ANOMALY_COLUMNS, anomaliesQuery, DECISION_COLUMNS, decisionsQuery, type AnomalyExportRow, type DecisionExportRow } from './export-queries.ts'
import { reportKey } from './report-files.ts'
import { ZAnomaliesParameters, ZCasesParameters, ZDecisionsParameters, ZSummaryParameters, summaryPeriod } from './report-parameters.ts'
import { renderSummaryPdf } from './render-summary-pdf.ts'
import { withQueryCursor, type CursorOptions } from './stream-query-rows.ts'
import { readSummaryFigures, type SummaryFigures } from './summary-figures.ts'

export interface ReportRunDeps {
  db: Db
  storage: ObjectStore
  log: Logger
  cursor?: CursorOptions
}

export type ReportOutcome =
  | { status: 'COMPLETED'; rowCount: number; key: string; pdf?: { buffer: Buffer; figures: SummaryFigures; periodLabel: string } }
  | { status: 'FAILED'; error: string }
  | { status: 'SKIPPED' }

/**
 * Generates one report: PROCESSING, then the file is streamed into object storage
 * and only once `put` has completed (all or nothing) is `fileUrl` set with COMPLETED.
 * Any failure marks it FAILED with the reason; nothing is published under fileUrl.
 * A report already COMPLETED or FAILED is left alone (a job delivered twice).
 */
export async function runReport(deps: ReportRunDeps, reportId: string): Promise<ReportOutcome> {
  const { db, log } = deps
  const report = await db.report.findUnique({ where: { id: reportId } })
  if (report === null || report.status === 'COMPLETED' || report.status === 'FAILED') return { status: 'SKIPPED' }
  await db.report.update({ where: { id: reportId }, data: { status: 'PROCESSING', progress: 0, error: null } })
  const started = Date.now()
  const key = reportKey(report.orgId, report.id, report.format)
  let lastProgress = 0
  const onPage = async ({ rows, total }: CsvProgress): Promise<void> => {
    // 100 only once the file is stored: until then the upload may still fail.
    const progress = total === 0 ? 99 : Math.min(99, Math.floor((rows * 100) / total))
    if (progress === lastProgress) return
    lastProgress = progress
    await db.report.update({ where: { id: reportId }, data: { progress } })
  }
  try {
    let rowCount: number
    let pdf: { buffer: Buffer; figures: SummaryFigures; periodLabel: string } | undefined
    if (report.type === 'ANOMALIES') {
      const { filters } = ZAnomaliesParameters.parse(report.parameters)
      rowCount = await withQueryCursor<AnomalyExportRow, number>(
        db,
        anomaliesQuery(report.orgId, filters),
        async (session) => {
          await storeCsv(deps, key, csvExportStream(session, ANOMALY_COLUMNS, onPage))
          return session.total
        },
        deps.cursor,
      )
    } else if (report.type === 'DECISIONS') {
      const { filters } = ZDecisionsParameters.parse(report.parameters)
      rowCount = await withQueryCursor<DecisionExportRow, number>(
        db,
        decisionsQuery(report.orgId, filters),
        async (session) => {
          await storeCsv(deps, key, csvExportStream(session, DECISION_COLUMNS, onPage))
          return session.total
        },
        deps.cursor,
      )
    } else if (report.type === 'CASES') {
      const { filters } = ZCasesParameters.parse(report.parameters)
      rowCount = await withQueryCursor(
        db,
        casesQuery(report.orgId, filters),
        async (session: Parameters<typeof withEventDetail>[0]) => {
          await storeCsv(deps, key, csvExportStream(withEventDetail(session), CASE_COLUMNS, onPage))
          return session.total
        },
        deps.cursor,
      )
    } else {
      const parameters = ZSummaryParameters.parse(report.parameters)
      const period = summaryPeriod(parameters)
      const figures = await readSummaryFigures(db, report.orgId, period.from, period.to)
      await onPage({ rows: 1, total: 2 })
      const buffer = await renderSummaryPdf({ title: `Anomalyze summary: ${period.label}`, periodLabel: period.label, generatedAt: new Date(), figures })
      await deps.storage.put(key, buffer, { contentType: 'application/pdf' })
      rowCount = figures.anomalies
      pdf = { buffer, figures, periodLabel: period.label }
    }
    await db.report.update({
      where: { id: reportId },
      data: { status: 'COMPLETED', progress: 100, rowCount, fileUrl: key, completedAt: new Date(), error: null },
    })
    log.info({ reportId, orgId: report.orgId, type: report.type, rowCount, ms: Date.now() - started }, 'report completed')
    return { status: 'COMPLETED', rowCount, key, ...(pdf ? { pdf } : {}) }
  } catch (error) {
    const reason = describeFailure(error)
    log.warn({ reportId, orgId: report.orgId, type: report.type, err: error }, 'report failed')
    await db.report.update({ where: { id: reportId }, data: { status: 'FAILED', error: reason, fileUrl: null, completedAt: new Date() } })
    return { status: 'FAILED', error: reason }
  }
}

/**
 * Hands a CSV export stream to the store and does not return until the stream is
 * closed. When the store gives up half way (disk full, a dropped connection), the
 * stream may still be fetching its next page; waiting for it to close keeps that
 * FETCH inside the cursor's transaction instead of racing its rollback, and the
 * error listener keeps a read that fails after the store stopped listening from
 * crashing the process. The store's own rejection is the failure that is reported.
 */
async function storeCsv(deps: ReportRunDeps, key: string, stream: Readable): Promise<void> {
  stream.on('error', (error: unknown) => deps.log.debug({ key, err: error }, 'report stream closed after the store stopped reading'))
  try {
    await deps.storage.put(key, stream, { contentType: 'text/csv; charset=utf-8' })
  } finally {
    if (!stream.closed) {
      const closed = once(stream, 'close')
      stream.destroy()
      await closed
    }
  }
}

/**
 * What the user sees next to the report, bounded: invalid stored parameters by field,
 * otherwise the error's last line (Prisma puts the database's own message there).
 */
function describeFailure(error: unknown): string {
  if (error instanceof ZodError) {
    return `invalid parameters: ${error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`.slice(0, 500)
  }
  const message = error instanceof Error ? error.message : String(error)
  return (
    message
      .split('\n')
      .filter((line) => line.trim() !== '')
      .at(-1) ?? 'unknown error'
  ).slice(0, 500)
}
