import type { CaseConflict, CaseTimelineEntry } from '../../../contract/cases.ts'
import { formatWhen } from '../format.ts'

/**
 * The notice for an action of this analyst that lost to a teammate's: who holds (or
 * closed) the case and since when, from the timeline's last matching line; the core's
 * own message when the timeline does not say.
 */
export function conflictText(conflict: CaseConflict, timeline: CaseTimelineEntry[]): string {
  const holder = conflict.heldBy
  if (holder === null) return conflict.message
  const since = [...timeline].reverse().find((e) => {
    if (e.pending) return false
    if (conflict.kind === 'close') return e.kind === 'closed' && e.actor?.id === holder.id
    const assignee = e.data?.['assignee']
    return e.kind === 'assigned' && typeof assignee === 'object' && assignee !== null && 'id' in assignee && assignee.id === holder.id
  })
  const when = since === undefined ? '' : ` since ${formatWhen(since.at)}`
  switch (conflict.kind) {
    case 'claim':
      return `${holder.name} holds this case${when} — your claim was not applied`
    case 'close':
      return `${holder.name} closed this case${since === undefined ? '' : ` at ${formatWhen(since.at)}`} — your close was not applied; your note is kept in the timeline`
    default:
      return `${holder.name} holds this case${when} — your ${conflict.kind === 'assign' ? 'assignment' : 'status change'} was not applied`
  }
}
