import { z } from 'zod'
import { SEVERITIES } from './severity.ts'

export const ZSeverity = z.enum(SEVERITIES)

/** Where an anomaly stands in the analyst's queue; the latest decision sets it. */
export const ANOMALY_STATUSES = ['OPEN', 'NEEDS_REVIEW', 'CONFIRMED_FRAUD', 'FALSE_POSITIVE'] as const
export const ZAnomalyStatus = z.enum(ANOMALY_STATUSES)
export type AnomalyStatus = z.infer<typeof ZAnomalyStatus>

/** What an analyst can decide about an anomaly. */
export const LABEL_KINDS = ['CONFIRMED_FRAUD', 'FALSE_POSITIVE', 'NEEDS_REVIEW'] as const
export const ZLabelKind = z.enum(LABEL_KINDS)
export type LabelKind = z.infer<typeof ZLabelKind>

/** The status a label puts an anomaly in (they share names on purpose). */
export function statusForLabel(label: LabelKind): AnomalyStatus {
  return label
}
