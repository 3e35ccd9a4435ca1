import { z } from 'zod'
import { SEVERITIES, type Severity } from '../domain/severity.ts'

/**
 * How long a case may stay open before it breaches its SLA, by its priority (the worst
 * severity among its alerts), in minutes. An organisation sets its own (CaseSla rows);
 * a severity it has not set uses these.
 */
export const DEFAULT_CASE_SLA_MINUTES: Readonly<Record<Severity, number>> = {
  CRITICAL: 4 * 60,
  HIGH: 24 * 60,
  MEDIUM: 3 * 24 * 60,
  LOW: 7 * 24 * 60,
}

/** An SLA is at least 5 minutes and at most 90 days. */
export const MIN_SLA_MINUTES = 5
export const MAX_SLA_MINUTES = 90 * 24 * 60

export const ZCaseSla = z.object(
  Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int().min(MIN_SLA_MINUTES).max(MAX_SLA_MINUTES)])) as Record<Severity, z.ZodNumber>,
)
export type CaseSla = Record<Severity, number>

/** A case's due time: opened at `openedAt`, priority `priority`, under `sla`. */
export function caseDueAt(openedAt: number, priority: Severity, sla: CaseSla = DEFAULT_CASE_SLA_MINUTES): number {
  return openedAt + sla[priority] * 60_000
}

/** How a case stands against its due time at `now`: "Due soon" is within a quarter of its SLA, at most 4 hours. */
export type SlaState = 'none' | 'ok' | 'due_soon' | 'overdue'

export function slaState(dueAt: number | null, open: boolean, now: number, slaMinutes?: number): SlaState {
  if (dueAt === null || !open) return 'none'
  if (dueAt <= now) return 'overdue'
  const soonMs = Math.min(4 * 3_600_000, ((slaMinutes ?? 16 * 60) * 60_000) / 4)
  return dueAt - now <= soonMs ? 'due_soon' : 'ok'
}
