import type { CaseStatus, SlaState, TCaseEvent } from '@anomalyze/shared'
import type { CaseQueue } from '../../../contract/cases.ts'
import { DECISION_LABEL, formatWhen } from '../format.ts'

/** Words for case statuses, queues and SLA states: one table, so the list, the detail and the tests agree. */
export const CASE_STATUS_LABEL: Record<CaseStatus, string> = {
  OPEN: 'Open',
  IN_REVIEW: 'In review',
  ESCALATED: 'Escalated',
  CLOSED_FRAUD: 'Closed: fraud',
  CLOSED_LEGITIMATE: 'Closed: legitimate',
}

export const QUEUE_TABS: ReadonlyArray<{ id: CaseQueue; label: string; key: string }> = [
  { id: 'mine', label: 'My cases', key: '1' },
  { id: 'unassigned', label: 'Unassigned', key: '2' },
  { id: 'escalated', label: 'Escalated', key: '3' },
  { id: 'due', label: 'Due soon & overdue', key: '4' },
  { id: 'all', label: 'All', key: '5' },
]

export const SLA_LABEL: Record<SlaState, string> = { none: '', ok: 'on time', due_soon: 'due soon', overdue: 'overdue' }

/** A case's age or a due time in one short phrase ("3 h", "2 d"); negative spans read as the same magnitude. */
export function formatSpan(ms: number): string {
  const abs = Math.abs(ms)
  if (abs < 60_000) return '<1 min'
  if (abs < 3_600_000) return `${Math.round(abs / 60_000)} min`
  if (abs < 86_400_000) return `${Math.round(abs / 3_600_000)} h`
  return `${Math.round(abs / 86_400_000)} d`
}

/** "in 3 h" / "2 h ago": how far the due time is from now. */
export function formatDue(dueAt: number | null, now: number): string {
  if (dueAt === null) return '—'
  return dueAt >= now ? `in ${formatSpan(dueAt - now)}` : `${formatSpan(now - dueAt)} ago`
}

function person(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'name' in value && typeof value.name === 'string') return value.name
  return 'someone'
}

function count(value: unknown): number {
  return Array.isArray(value) ? value.length : typeof value === 'number' ? value : 0
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function statusWord(value: unknown): string {
  return typeof value === 'string' && value in CASE_STATUS_LABEL ? CASE_STATUS_LABEL[value as CaseStatus] : text(value)
}

function decisionWord(value: unknown): string {
  return typeof value === 'string' && value in DECISION_LABEL ? DECISION_LABEL[value as keyof typeof DECISION_LABEL] : text(value)
}

/**
 * What one timeline line says, from its kind and `data` (shapes documented beside
 * ZCaseEvent). The data comes over the wire: every field is checked, a missing one
 * reads as "someone" or nothing rather than breaking the timeline.
 */
export function describeEvent(event: Pick<TCaseEvent, 'kind' | 'data'>): string {
  const d = event.data ?? {}
  switch (event.kind) {
    case 'opened':
      return d['by'] === 'split' ? 'opened the case (split from another)' : d['by'] === 'analyst' ? 'opened the case' : 'opened the case from new alerts'
    case 'alerts_added': {
      const n = count(d['count'] ?? d['anomalyIds'])
      return `added ${n} ${n === 1 ? 'alert' : 'alerts'}`
    }
    case 'assigned':
      return d['how'] === 'claim' ? 'claimed the case' : `assigned the case to ${person(d['assignee'])}${d['how'] === 'round_robin' ? ' (round-robin)' : ''}`
    case 'unassigned':
      return `unassigned ${person(d['previous'])}`
    case 'status':
      return `moved the case from ${statusWord(d['from'])} to ${statusWord(d['to'])}`
    case 'reopened':
      return `reopened the case (${statusWord(d['to'])})`
    case 'comment':
      return 'commented'
    case 'decision': {
      const n = count(d['anomalyIds'])
      return `decided ${n} ${n === 1 ? 'alert' : 'alerts'} ${decisionWord(d['label'])}`
    }
    case 'closed': {
      const n = count(d['decidedCount'])
      return `closed the case as ${d['status'] === 'CLOSED_FRAUD' ? 'fraud' : 'legitimate'}, deciding ${n} open ${n === 1 ? 'alert' : 'alerts'}`
    }
    case 'merged':
      return Array.isArray(d['from'])
        ? `merged ${count(d['from'])} ${count(d['from']) === 1 ? 'case' : 'cases'} into this one`
        : 'merged this case into another'
    case 'split':
      return typeof d['to'] === 'string'
        ? `split ${count(d['anomalyIds'])} alerts into a new case`
        : `opened with ${count(d['anomalyIds'])} alerts split from another case`
    case 'claim_refused':
      return `tried to claim the case; not applied: ${person(d['heldBy'])} held it`
    case 'close_refused':
      return `tried to close the case as ${d['status'] === 'CLOSED_FRAUD' ? 'fraud' : 'legitimate'}; not applied: ${person(d['closedBy'])} had closed it`
    case 'sla_breached':
      return typeof d['dueAt'] === 'number' ? `breached its SLA (due ${formatWhen(d['dueAt'])})` : 'breached its SLA'
    default:
      return event.kind
  }
}

/** The words a timeline line quotes: a comment's text, a close's or refused close's note. */
export function quotedText(event: Pick<TCaseEvent, 'kind' | 'data'>): string | null {
  const d = event.data ?? {}
  const value = event.kind === 'comment' ? d['text'] : event.kind === 'closed' || event.kind === 'close_refused' || event.kind === 'decision' ? d['note'] : null
  return typeof value === 'string' && value.trim() !== '' ? value : null
}
