import { formatTime } from '../format.ts'
import type { TRulesOverview } from './rules-api.ts'

const STATE_TEXT = { new: 'new', changed: 'changed', published: 'published' } as const

/** The drafts with their mode, how each stands against the version in force, and its hits; rules publishing would remove, flagged. */
export function RuleTable({
  overview,
  cursor,
  onCursor,
  onOpen,
}: {
  overview: TRulesOverview
  cursor: number
  onCursor: (index: number) => void
  onOpen: (index: number) => void
}) {
  const hits = new Map(overview.hits.map((h) => [h.name, h]))
  return (
    <table className="rules-table rules-list" aria-label="Draft rules" data-testid="rules-list">
      <thead>
        <tr>
          <th>Rule</th>
          <th>Mode</th>
          <th>State</th>
          <th className="num" title="Hits in the last 7 days (shadow hits in brackets)">
            Hits 7d
          </th>
          <th>Floor</th>
          <th className="num">Boost</th>
          <th>Last change</th>
        </tr>
      </thead>
      <tbody>
        {overview.drafts.map((rule, index) => {
          const h = hits.get(rule.name)
          return (
            <tr
              key={rule.id}
              aria-selected={index === cursor}
              onClick={() => onCursor(index)}
              onDoubleClick={() => onOpen(index)}
              data-testid="rule-row"
              data-rule={rule.name}
              data-state={rule.state}
            >
              <td>
                <div className="rule-code">{rule.name}</div>
                {rule.description !== '' && <div className="muted rule-description">{rule.description}</div>}
              </td>
              <td>
                <span className={`rule-mode mode-${rule.mode}`}>{rule.mode}</span>
              </td>
              <td>
                <span className={`rule-state state-${rule.state}`}>{STATE_TEXT[rule.state]}</span>
              </td>
              <td className="num">
                {(h?.hits7d ?? 0).toLocaleString()}
                {(h?.shadowHits7d ?? 0) > 0 && <span className="muted"> ({h?.shadowHits7d.toLocaleString()} shadow)</span>}
              </td>
              <td>
                {rule.severityFloor === null ? (
                  <span className="muted">–</span>
                ) : (
                  <span className={`badge sev-${rule.severityFloor}`}>{rule.severityFloor}</span>
                )}
              </td>
              <td className="num">{rule.scoreBoost === null || rule.scoreBoost === 0 ? <span className="muted">–</span> : `+${rule.scoreBoost.toFixed(2)}`}</td>
              <td className="muted rule-changed-by">
                <div>{rule.updatedBy?.name ?? 'built in'}</div>
                <div>{formatTime(rule.updatedAt)}</div>
              </td>
            </tr>
          )
        })}
        {overview.removed.map((name) => (
          <tr key={`removed-${name}`} className="rule-removed" data-testid="rule-removed" data-rule={name}>
            <td className="rule-code">{name}</td>
            <td colSpan={6}>
              <span className="rule-state state-removed">removed</span> <span className="muted">in force now; publishing the drafts removes it</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
