import type { CaseTimelineEntry } from '../../../contract/cases.ts'
import { formatTime, formatWhen } from '../format.ts'
import { describeEvent, quotedText } from './case-format.ts'

const REFUSED = new Set(['claim_refused', 'close_refused'])

/** Everything that happened to the case, oldest first: who, what, when; this console's unsent actions marked. */
export function CaseTimeline({ entries }: { entries: CaseTimelineEntry[] }) {
  if (entries.length === 0) return <p className="muted">Nothing has happened on this case yet.</p>
  return (
    <ol className="case-timeline" data-testid="case-timeline">
      {entries.map((entry) => {
        const quote = quotedText(entry)
        return (
          <li
            key={entry.id}
            className={`timeline-entry kind-${entry.kind}${entry.pending ? ' is-pending' : ''}${REFUSED.has(entry.kind) ? ' is-refused' : ''}`}
            data-testid="timeline-entry"
            data-kind={entry.kind}
          >
            <div className="timeline-line">
              <strong>{entry.actorName}</strong> {describeEvent(entry)}
              <time dateTime={new Date(entry.at).toISOString()} title={`${formatTime(entry.at)} UTC`} className="muted">
                {formatWhen(entry.at)}
              </time>
              {entry.pending && (
                <span className="pending-note" data-testid="timeline-pending">
                  not synced yet
                </span>
              )}
            </div>
            {quote !== null && (
              <blockquote className="timeline-quote" data-testid="timeline-text">
                {quote}
              </blockquote>
            )}
          </li>
        )
      })}
    </ol>
  )
}
