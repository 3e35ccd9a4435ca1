/**
 * A case timeline event's `data` (contract.ts, ZCaseEvent) as one line of text for the
 * cases report: what an auditor reads in a spreadsheet. Pure; tolerant of data written
 * by older code (a missing field reads as empty, an unknown kind shows its JSON).
 */
type Data = Record<string, unknown>

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '')
const person = (v: unknown): string => (v !== null && typeof v === 'object' ? text((v as Data).name) || text((v as Data).id) : '')
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(text).filter((s) => s !== '') : [])
const withNote = (head: string, note: unknown): string => (text(note) === '' ? head : `${head}: ${text(note)}`)
const isoOf = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? new Date(v).toISOString() : text(v))

export function caseEventDetail(kind: string, data: unknown): string {
  const d: Data = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Data) : {}
  switch (kind) {
    case 'opened':
      return `opened by ${text(d.by) || 'unknown'} for ${text(d.entityType)} ${text(d.entityId)}`.trim()
    case 'alerts_added':
      return `${text(d.count) || list(d.anomalyIds).length} alert(s) added: ${list(d.anomalyIds).join(' ')}`.trim()
    case 'assigned': {
      const previous = person(d.previous)
      return `assigned to ${person(d.assignee)}${previous === '' ? '' : ` (was ${previous})`} by ${text(d.how) || 'assign'}`
    }
    case 'unassigned':
      return `unassigned from ${person(d.previous)}`
    case 'status':
    case 'reopened':
      return `${text(d.from)} -> ${text(d.to)}`
    case 'comment':
      return text(d.text)
    case 'decision':
      return withNote(`${text(d.label)} on ${list(d.anomalyIds).length} alert(s)`, d.note)
    case 'closed':
      return withNote(`closed ${text(d.status)}, ${text(d.decidedCount) || '0'} alert(s) decided`, d.note)
    case 'merged':
      return d.into !== undefined ? `merged into ${text(d.into)}` : `merged from ${list(d.from).join(' ')}`
    case 'split':
      return d.to !== undefined
        ? `split ${list(d.anomalyIds).length} alert(s) to ${text(d.to)}`
        : `split ${list(d.anomalyIds).length} alert(s) from ${text(d.from)}`
    case 'claim_refused':
      return `claim refused: held by ${person(d.heldBy)}`
    case 'close_refused':
      return withNote(`close refused (${text(d.status) || text(d.label)}): closed by ${person(d.closedBy)}`, d.note)
    case 'sla_breached':
      return `SLA breached, due ${isoOf(d.dueAt)}`
    default:
      return data === null || data === undefined ? '' : JSON.stringify(data)
  }
}
