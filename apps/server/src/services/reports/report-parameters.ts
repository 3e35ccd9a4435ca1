import { z } from 'zod'
import { isTimeInRange, ZAnomalyStatus, ZCaseStatus, ZLabelKind, zSafeText, ZSeverity } from '@anomalyze/shared'

/**
 * What a report is asked for, validated once on the way in and again by the worker
 * (the stored JSON is parsed with the same schemas). Objects are strict: an unknown
 * filter is refused with its name rather than silently exporting everything.
 *
 * Dates are an ISO 8601 date or date-time ("2026-01-01", "2026-01-01T10:00:00Z") or
 * epoch milliseconds (what the console sends); they are stored as ISO strings.
 * Ranges are half-open like the console's queue: `from` inclusive, `to` exclusive.
 * Instants are bounded like every instant from outside (1970..9999, time-bounds.ts).
 */
const ZInstant = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const date = typeof value === 'number' ? new Date(value) : parseIsoDate(value)
  if (date === null || !Number.isFinite(date.getTime())) {
    ctx.issues.push({ code: 'custom', input: value, message: 'not a date: use ISO 8601 ("2026-01-31" or "2026-01-31T12:00:00Z") or epoch milliseconds' })
    return z.NEVER
  }
  if (!isTimeInRange(date.getTime())) {
    ctx.issues.push({ code: 'custom', input: value, message: 'must be between 1970-01-01 and 9999-12-31 (whole epoch milliseconds)' })
    return z.NEVER
  }
  return date.toISOString()
})

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/

function parseIsoDate(text: string): Date | null {
  if (!ISO_DATE.test(text)) return null
  const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text)
  // "2026-02-30" parses to March 2nd: refuse dates that do not round-trip.
  if (text.length === 10 && date.toISOString().slice(0, 10) !== text) return null
  return date
}

/** Adds a "from must be before to" issue on `from`, naming the field. */
function checkRange(range: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx): void {
  if (range.from !== undefined && range.to !== undefined && range.from >= range.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `"from" (${range.from}) must be before "to" (${range.to})` })
  }
}

/** The console queue's filters (apps/desktop/src/contract/queue.ts), minus free text and offline batches. */
export const ZAnomalyFilters = z
  .strictObject({
    severities: z.array(ZSeverity).max(4).optional(),
    statuses: z.array(ZAnomalyStatus).max(4).optional(),
    rule: zSafeText(100, { min: 1 }).optional(),
    amountMin: z.number().finite().optional(),
    amountMax: z.number().finite().optional(),
    /** On the transaction's timestamp, as in the console. */
    from: ZInstant.optional(),
    to: ZInstant.optional(),
    accountId: zSafeText(128, { min: 1 }).optional(),
  })
  .superRefine((filters, ctx) => {
    checkRange(filters, ctx)
    if (filters.amountMin !== undefined && filters.amountMax !== undefined && filters.amountMin > filters.amountMax) {
      ctx.addIssue({ code: 'custom', path: ['amountMin'], message: '"amountMin" must not be above "amountMax"' })
    }
  })
export type TAnomalyFilters = z.output<typeof ZAnomalyFilters>

export const ZAnomaliesParameters = z.strictObject({ filters: ZAnomalyFilters.default({}) })

/** Analyst decisions, by when they were decided. */
export const ZDecisionFilters = z
  .strictObject({
    labels: z.array(ZLabelKind).max(3).optional(),
    decidedBy: zSafeText(200, { min: 1 }).optional(),
    from: ZInstant.optional(),
    to: ZInstant.optional(),
    accountId: zSafeText(128, { min: 1 }).optional(),
  })
  .superRefine(checkRange)
export type TDecisionFilters = z.output<typeof ZDecisionFilters>

export const ZDecisionsParameters = z.strictObject({ filters: ZDecisionFilters.default({}) })

/**
 * Cases with their timelines. A case is in the period when it was open at some time
 * in it: opened before `to`, and not closed before `from`. Each such case comes with
 * its whole timeline.
 */
export const ZCaseFilters = z
  .strictObject({
    from: ZInstant.optional(),
    to: ZInstant.optional(),
    /** The case's status now. */
    statuses: z.array(ZCaseStatus).max(5).optional(),
  })
  .superRefine(checkRange)
export type TCaseFilters = z.output<typeof ZCaseFilters>

export const ZCasesParameters = z.strictObject({ filters: ZCaseFilters.default({}) })

/** A calendar month ("2026-01", UTC) or an explicit range. */
export const ZSummaryParameters = z
  .strictObject({
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM, e.g. "2026-01"')
      // Date.UTC reads years 0 to 99 as 1900 to 1999; 1970 is the first accepted year anyway.
      .refine((month) => Number(month.slice(0, 4)) >= 1970, 'must be a month from 1970-01 on')
      .optional(),
    from: ZInstant.optional(),
    to: ZInstant.optional(),
    /** Set by the monthly schedule (never by clients): e-mail it if the user opted in. */
    scheduled: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    const hasRange = p.from !== undefined || p.to !== undefined
    if (p.month !== undefined && hasRange) {
      ctx.addIssue({ code: 'custom', path: ['month'], message: 'give either "month" or "from" and "to", not both' })
    } else if (p.month === undefined && (p.from === undefined || p.to === undefined)) {
      ctx.addIssue({ code: 'custom', path: [p.from === undefined ? 'from' : 'to'], message: 'give "month" (YYYY-MM) or both "from" and "to"' })
    }
    checkRange(p, ctx)
  })
export type TSummaryParameters = z.output<typeof ZSummaryParameters>

/** reports.create input: the type decides which formats and parameters are allowed. */
export const ZCreateReportInput = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ANOMALIES'), format: z.literal('CSV'), parameters: ZAnomaliesParameters.default({ filters: {} }) }),
  z.strictObject({ type: z.literal('DECISIONS'), format: z.literal('CSV'), parameters: ZDecisionsParameters.default({ filters: {} }) }),
  z.strictObject({ type: z.literal('CASES'), format: z.literal('CSV'), parameters: ZCasesParameters.default({ filters: {} }) }),
  z.strictObject({
    type: z.literal('MONTHLY_SUMMARY'),
    format: z.literal('PDF'),
    // Clients cannot mark a report as scheduled (that would e-mail it).
    parameters: ZSummaryParameters.refine((p) => p.scheduled === undefined, { path: ['scheduled'], message: 'set by the schedule only' }),
  }),
])
export type TCreateReportInput = z.output<typeof ZCreateReportInput>

/** The half-open UTC period a summary covers. */
export function summaryPeriod(p: TSummaryParameters): { from: Date; to: Date; label: string } {
  if (p.month !== undefined) {
    const [year, month] = p.month.split('-').map(Number) as [number, number]
    return { from: new Date(Date.UTC(year, month - 1, 1)), to: new Date(Date.UTC(year, month, 1)), label: p.month }
  }
  const from = new Date(p.from as string)
  const to = new Date(p.to as string)
  return { from, to, label: `${from.toISOString().slice(0, 10)} to ${to.toISOString().slice(0, 10)}` }
}

/** "2026-01" for the month before `now` (UTC): what the schedule on the 1st summarises. */
export function previousMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}
