import { SEVERITIES, type Severity } from '../domain/severity.ts'
import { severityOf, type ModelScore, type SeverityThresholds } from '../detection/models/anomaly-model.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'
import { isTextFieldName, TEXT_FIELDS } from './fields.ts'
import type { RuleDefinition, RuleLists, RuleOutcome, Suppression } from './rule-types.ts'

/**
 * The ALLOW list entry matching the transaction, or null: the first allow list (in
 * the order given) whose field's value is listed. A list on a field the language does
 * not know matches nothing.
 */
export function findSuppression(tx: TTransaction, lists: RuleLists): Suppression | null {
  for (const list of lists.allow) {
    if (!isTextFieldName(list.field)) continue
    const value = TEXT_FIELDS[list.field].read(tx)
    const reason = list.reasons.get(value)
    if (reason !== undefined) return { list: list.name, field: list.field, value, reason }
  }
  return null
}

/**
 * The score and severity an alert carries after the fired rules' boost and floor:
 * score = min(1, score + boost), then raised to the floor's cut-off when a floor is
 * above it; severity = severityOf(thresholds, that score). So the severity is always the
 * model's mapping of the score the row shows (a floor never shows "HIGH 0.012"), and a
 * re-score with the same model gives the same severity. The model's own outputs stay
 * in isolationScore and fraudProbability. Unchanged (the same object) when nothing
 * with a boost or floor fired.
 */
export function applyRuleOutcome(score: ModelScore, outcome: RuleOutcome, thresholds: SeverityThresholds): ModelScore {
  if (outcome.scoreBoost === 0 && outcome.severityFloor === null) return score
  const boosted = Math.min(1, score.score + outcome.scoreBoost)
  const floor = outcome.severityFloor
  const floored = floor === null ? boosted : Math.max(boosted, floorScore(thresholds, floor))
  return { ...score, score: floored, severity: severityOf(thresholds, floored) }
}

/** The lowest score the model maps to `floor` (LOW: 0). */
function floorScore(thresholds: SeverityThresholds, floor: Severity): number {
  if (floor === 'CRITICAL') return thresholds.critical
  if (floor === 'HIGH') return thresholds.high
  if (floor === 'MEDIUM') return thresholds.medium
  return 0
}

/**
 * The outcome of rules that already fired (a stored alert's rule names), from their
 * definitions: what a re-score with a new model applies again, so a boost or floor the
 * row got when it was scored is kept. Names no longer defined (or SHADOW) add nothing.
 */
export function outcomeOfFired(definitions: readonly RuleDefinition[], fired: readonly string[]): RuleOutcome {
  const outcome: RuleOutcome = { fired: [...fired], shadow: [], severityFloor: null, scoreBoost: 0 }
  const byName = new Map(definitions.filter((r) => r.mode === 'ACTIVE').map((r) => [r.name, r]))
  for (const name of fired) {
    const rule = byName.get(name)
    if (rule === undefined) continue
    outcome.scoreBoost += rule.scoreBoost ?? 0
    if (rule.severityFloor !== null && (outcome.severityFloor === null || SEVERITIES.indexOf(rule.severityFloor) > SEVERITIES.indexOf(outcome.severityFloor)))
      outcome.severityFloor = rule.severityFloor
  }
  return outcome
}

/** Whether a row is an alert: model severity above LOW or any ACTIVE rule fired (SHADOW rules never raise one). */
export function raisesAlert(score: ModelScore, outcome: RuleOutcome): boolean {
  return score.severity !== 'LOW' || outcome.fired.length > 0
}
