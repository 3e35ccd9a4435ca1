/**
 * The words of a case notice (services/cases/case-notices.ts): an e-mail (plain text
 * and HTML) and a one-line SMS. Entity ids come from ingested data, so everything
 * quoted is escaped in the HTML part and kept to one line.
 */
export interface CaseNoticeContent {
  kind: 'assigned' | 'sla_breached'
  caseId: string
  entityType: 'ACCOUNT' | 'MERCHANT'
  entityId: string
  priority: string
  status: string
  dueAt: Date | null
  /** Who assigned it (assigned), when known. */
  byName?: string | undefined
  /** The assignee's name; null: nobody holds the case (a breach then goes to the admins). */
  assigneeName: string | null
  /** Opens the case. */
  link: string
}

export interface CaseNoticeEmail {
  subject: string
  text: string
  html: string
}

export function composeCaseNoticeEmail(c: CaseNoticeContent): CaseNoticeEmail {
  const entity = entityLabel(c)
  const due = c.dueAt === null ? 'no due time' : `due ${formatUtc(c.dueAt)}`
  const subject =
    c.kind === 'assigned'
      ? `[Anomalyze] ${c.priority} case assigned to you: ${entity}`
      : `[Anomalyze] SLA breached: ${c.priority} case ${entity}${c.assigneeName === null ? ' (unassigned)' : ''}`
  const intro =
    c.kind === 'assigned'
      ? c.byName === undefined
        ? 'A case was assigned to you.'
        : `${oneLine(c.byName)} assigned a case to you.`
      : c.assigneeName === null
        ? 'A case nobody holds passed its due time. You are told as an admin of the organisation.'
        : 'A case assigned to you passed its due time.'
  const lines = [
    intro,
    '',
    `Case: ${entity}`,
    `Priority: ${c.priority}`,
    `Status: ${c.status}`,
    `Due: ${c.dueAt === null ? 'no due time' : formatUtc(c.dueAt)}`,
    `Assignee: ${c.assigneeName ?? 'nobody'}`,
    '',
    `Open the case: ${c.link}`,
  ]
  const html =
    `<!doctype html><html><body><p>${escapeHtml(intro)}</p><table>` +
    [
      ['Case', entity],
      ['Priority', c.priority],
      ['Status', c.status],
      ['Due', c.dueAt === null ? 'no due time' : formatUtc(c.dueAt)],
      ['Assignee', c.assigneeName ?? 'nobody'],
    ]
      .map(([label, value]) => `<tr><th align="left">${escapeHtml(label!)}</th><td>${escapeHtml(value!)}</td></tr>`)
      .join('') +
    `</table><p><a href="${escapeHtml(c.link)}">Open the case</a></p>` +
    `<p style="color:#666">You receive this because ${c.kind === 'assigned' ? 'the case was assigned to you' : `the case is ${due} and still open`} in Anomalyze.</p></body></html>`
  return { subject: oneLine(subject), text: lines.join('\n'), html }
}

/** One SMS, within a single segment where the entity id allows. */
export function composeCaseNoticeSms(c: CaseNoticeContent): string {
  const what = c.kind === 'assigned' ? 'case assigned to you' : 'case breached its SLA'
  return oneLine(`Anomalyze: ${c.priority} ${what}: ${entityLabel(c)}. ${c.link}`)
}

function entityLabel(c: Pick<CaseNoticeContent, 'entityType' | 'entityId'>): string {
  return `${c.entityType === 'ACCOUNT' ? 'account' : 'merchant'} ${oneLine(c.entityId).slice(0, 128)}`
}

/** "2026-03-01 14:05 UTC": the reader's time zone is not known here. */
function formatUtc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

const oneLine = (text: string): string => text.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim()

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch)
