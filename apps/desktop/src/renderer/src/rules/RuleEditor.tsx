import { useMutation } from '@tanstack/react-query'
import { useState, type KeyboardEvent } from 'react'
import { RULE_MODES, SEVERITIES, type Severity } from '@anomalyze/shared'
import { ExpressionField } from './ExpressionField.tsx'
import { FieldReference } from './FieldReference.tsx'
import { rulesApi, ServerCallError, type RuleError, type TRuleDefinition, type TRuleDraftRow } from './rules-api.ts'
import { useRuleCheck } from './useRuleCheck.ts'

interface Props {
  /** The draft being changed; null: a new rule. */
  draft: TRuleDraftRow | null
  /** Why this person may not save drafts (null: they may). */
  draftReason: string | null
  onChange: (rule: TRuleDefinition) => void
  onSaved: (row: TRuleDraftRow) => void
  onBacktest: () => void
  onClose: () => void
}

const EMPTY_RULE: TRuleDefinition = { name: '', expression: '', description: '', mode: 'SHADOW', severityFloor: null, scoreBoost: null }

/** The server's errors for a refused save, if it sent them (details.errors). */
function refusedErrors(error: unknown): RuleError[] {
  if (!(error instanceof ServerCallError)) return []
  const errors = error.details['errors']
  return Array.isArray(errors) ? (errors as RuleError[]) : []
}

/**
 * One rule's editor: its name, description, mode, severity floor and score boost, and
 * its condition, checked as it is typed. Ctrl/Cmd+S saves the draft; a refusal shows the
 * server's errors at their line and column. The reference beside it lists every field
 * and function.
 */
export function RuleEditor({ draft, draftReason, onChange, onSaved, onBacktest, onClose }: Props) {
  const [rule, setRule] = useState<TRuleDefinition>(() => (draft === null ? EMPTY_RULE : { ...EMPTY_RULE, ...draft }))
  const check = useRuleCheck(rule.expression)
  const save = useMutation({
    mutationFn: () => rulesApi.saveDraft(draft === null ? { rule } : { id: draft.id, rule }),
    onSuccess: onSaved,
  })
  // A refusal's errors belong to the text that was sent; once it changes, the live check speaks.
  const [sentText, setSentText] = useState<string | null>(null)
  const serverErrors = sentText === rule.expression ? refusedErrors(save.error) : []
  const expressionErrors = serverErrors.length > 0 ? serverErrors : check.errors
  const fieldErrors = save.error instanceof ServerCallError ? save.error.fieldErrors : {}

  const update = (patch: Partial<TRuleDefinition>): void => {
    const next = { ...rule, ...patch }
    setRule(next)
    onChange(next)
  }
  const submit = (): void => {
    if (draftReason !== null || save.isPending) return
    setSentText(rule.expression)
    save.mutate()
  }
  const onKeyDown = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey)) return
    const key = event.key.toLowerCase()
    if (key === 's') {
      event.preventDefault()
      submit()
    } else if (key === 'b') {
      event.preventDefault()
      onBacktest()
    }
  }

  return (
    <form
      className="rule-editor"
      aria-label={draft === null ? 'New rule' : `Edit rule ${draft.name}`}
      data-testid="rule-editor"
      onKeyDown={onKeyDown}
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <div className="rule-editor-main">
        <header className="rule-editor-head">
          <h3>{draft === null ? 'New rule' : `Edit ${draft.name}`}</h3>
          <button type="button" className="link" onClick={onClose}>
            Close <kbd>Esc</kbd>
          </button>
        </header>
        <div className="rule-form-grid">
          <label>
            Name
            <input
              aria-label="Rule name"
              className="rule-code"
              value={rule.name}
              maxLength={64}
              autoFocus={draft === null}
              placeholder="HIGH_AMOUNT_ABROAD"
              onChange={(e) => update({ name: e.target.value })}
              aria-invalid={fieldErrors['rule.name'] !== undefined}
            />
            {fieldErrors['rule.name'] !== undefined && <span className="error-text">{fieldErrors['rule.name']}</span>}
          </label>
          <label>
            Mode
            <select aria-label="Rule mode" value={rule.mode} onChange={(e) => update({ mode: e.target.value as TRuleDefinition['mode'] })}>
              {RULE_MODES.map((m) => (
                <option key={m} value={m}>
                  {m === 'ACTIVE' ? 'ACTIVE (raises alerts)' : m === 'SHADOW' ? 'SHADOW (hits recorded, no alert)' : 'OFF (kept, not evaluated)'}
                </option>
              ))}
            </select>
          </label>
          <label>
            Severity floor
            <select
              aria-label="Severity floor"
              value={rule.severityFloor ?? ''}
              onChange={(e) => update({ severityFloor: e.target.value === '' ? null : (e.target.value as Severity) })}
            >
              <option value="">None (the model's)</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Score boost
            <input
              aria-label="Score boost"
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={rule.scoreBoost ?? ''}
              placeholder="0"
              onChange={(e) => update({ scoreBoost: e.target.value === '' ? null : Number(e.target.value) })}
              aria-invalid={fieldErrors['rule.scoreBoost'] !== undefined}
            />
            {fieldErrors['rule.scoreBoost'] !== undefined && <span className="error-text">{fieldErrors['rule.scoreBoost']}</span>}
          </label>
          <label className="rule-form-wide">
            Description
            <input aria-label="Rule description" value={rule.description} maxLength={1_000} onChange={(e) => update({ description: e.target.value })} />
          </label>
        </div>
        <label className="rule-form-label">Condition</label>
        <ExpressionField
          value={rule.expression}
          onChange={(expression) => update({ expression })}
          errors={expressionErrors}
          checking={serverErrors.length === 0 && check.checking}
        />
        {check.failure !== null && <p className="muted">The console could not check the text ({check.failure}); the server checks it on save.</p>}
        {save.error !== null && serverErrors.length === 0 && (
          <p className="error-text" role="alert" data-testid="rule-save-error">
            {save.error.message}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={draftReason !== null || save.isPending} title={draftReason ?? undefined} data-testid="rule-save">
            {save.isPending ? 'Saving…' : 'Save draft'} <kbd>Ctrl+S</kbd>
          </button>
          <button type="button" onClick={onBacktest} data-testid="rule-backtest">
            Backtest <kbd>Ctrl+B</kbd>
          </button>
          {save.isSuccess && sentText === rule.expression && <span className="muted">Saved as a draft.</span>}
        </div>
      </div>
      <FieldReference onInsert={(text) => update({ expression: rule.expression === '' ? text : `${rule.expression.replace(/\s*$/, '')} ${text}` })} />
    </form>
  )
}
