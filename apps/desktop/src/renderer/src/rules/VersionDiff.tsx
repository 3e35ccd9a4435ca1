import { lineDiff } from './line-diff.ts'
import type { RuleSetVersionDetail, TRuleDefinition } from './rules-api.ts'

const CHANGE_TEXT = { added: 'added', removed: 'removed', changed: 'changed', unchanged: 'unchanged' } as const

/** The settings of a rule besides its condition, in one line (to compare before and after). */
function settings(rule: TRuleDefinition): string {
  return `${rule.mode}, floor ${rule.severityFloor ?? 'none'}, boost ${rule.scoreBoost ?? 0}`
}

/** A version's changes against the one before: each rule added, removed or changed, with its condition's lines before and after. */
export function VersionDiff({ detail }: { detail: RuleSetVersionDetail }) {
  const changed = detail.diff.filter((d) => d.change !== 'unchanged')
  const unchanged = detail.diff.length - changed.length
  return (
    <div className="version-diff" data-testid="version-diff">
      {changed.length === 0 && <p className="muted">The same rules as the version before.</p>}
      {changed.map((d) => {
        // Blank lines mean nothing in a condition (and an added rule's missing "before" would read as one removed blank line).
        const lines = lineDiff(d.before?.expression ?? '', d.after?.expression ?? '').filter((l) => !(l.text === '' && l.kind !== 'same'))
        const settingsBefore = d.before === null ? null : settings(d.before)
        const settingsAfter = d.after === null ? null : settings(d.after)
        return (
          <section key={d.name} className={`diff-rule diff-${d.change}`} data-testid="diff-rule" data-rule={d.name} data-change={d.change}>
            <h4>
              <span className="rule-code">{d.name}</span> <span className={`rule-state state-${d.change}`}>{CHANGE_TEXT[d.change]}</span>
            </h4>
            {settingsBefore !== settingsAfter && (
              <p className="muted">
                {settingsBefore !== null && <del>{settingsBefore}</del>} {settingsBefore !== null && settingsAfter !== null && '→'}{' '}
                {settingsAfter !== null && <ins>{settingsAfter}</ins>}
              </p>
            )}
            <pre className="rule-code diff-lines">
              {lines.map((line, index) => (
                <div key={index} className={`diff-line diff-line-${line.kind}`} data-kind={line.kind}>
                  <span className="diff-sign" aria-hidden="true">
                    {line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' '}
                  </span>
                  {line.text}
                </div>
              ))}
            </pre>
          </section>
        )
      })}
      {unchanged > 0 && (
        <p className="muted">
          {unchanged} rule{unchanged === 1 ? '' : 's'} unchanged.
        </p>
      )}
    </div>
  )
}
