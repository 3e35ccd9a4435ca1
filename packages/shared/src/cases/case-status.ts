import { z } from 'zod'
import type { LabelKind } from '../domain/anomaly.ts'

/** Where a case stands. The first three are open (in some queue), the last two closed. */
export const CASE_STATUSES = ['OPEN', 'IN_REVIEW', 'ESCALATED', 'CLOSED_FRAUD', 'CLOSED_LEGITIMATE'] as const
export const ZCaseStatus = z.enum(CASE_STATUSES)
export type CaseStatus = z.infer<typeof ZCaseStatus>

export const OPEN_CASE_STATUSES = ['OPEN', 'IN_REVIEW', 'ESCALATED'] as const satisfies readonly CaseStatus[]
export type OpenCaseStatus = (typeof OPEN_CASE_STATUSES)[number]
export const ZOpenCaseStatus = z.enum(OPEN_CASE_STATUSES)

export const CLOSED_CASE_STATUSES = ['CLOSED_FRAUD', 'CLOSED_LEGITIMATE'] as const satisfies readonly CaseStatus[]
export type ClosedCaseStatus = (typeof CLOSED_CASE_STATUSES)[number]
export const ZClosedCaseStatus = z.enum(CLOSED_CASE_STATUSES)

export function isCaseOpen(status: CaseStatus): status is OpenCaseStatus {
  return (OPEN_CASE_STATUSES as readonly CaseStatus[]).includes(status)
}

/**
 * The decision closing a case gives each of its alerts that is still undecided (OPEN or
 * NEEDS_REVIEW): closing as fraud confirms them, closing as legitimate marks them false
 * positives. These labels feed the feedback loop like any other decision.
 */
export function labelForClosing(status: ClosedCaseStatus): LabelKind {
  return status === 'CLOSED_FRAUD' ? 'CONFIRMED_FRAUD' : 'FALSE_POSITIVE'
}

/** What a case investigates. */
export const CASE_ENTITY_TYPES = ['ACCOUNT', 'MERCHANT'] as const
export const ZCaseEntityType = z.enum(CASE_ENTITY_TYPES)
export type CaseEntityType = z.infer<typeof ZCaseEntityType>
