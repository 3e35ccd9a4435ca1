import { severityRank } from '../domain/severity.ts'
import { severityOf, type ModelScore, type SeverityThresholds } from '../detection/models/anomaly-model.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'
import { isTextFieldName, TEXT_FIELDS } from './fields.ts'
import type { RuleLists, RuleOutcome, Suppression } from './rule-types.ts'

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
 * score = min(1, score + boost); severity = max(severityOf(thresholds, boosted score),
 * floor). Unchanged (the same object) when nothing with a boost or floor fired.
 */
export function applyRuleOutcome(score: ModelScore, outcome: RuleOutcome, thresholds: SeverityThresholds): ModelScore {
  if (outcome.scoreBoost === 0 && outcome.severityFloor === null) return score
  const boosted = Math.min(1, score.score + outcome.scoreBoost)
  const modelSeverity = severityOf(thresholds, boosted)
  const floor = outcome.severityFloor
  const severity = floor !== null && severityRank(floor) > severityRank(modelSeverity) ? floor : modelSeverity
  return { ...score, score: boosted, severity }
}

/** Whether a row is an alert: model severity above LOW or any ACTIVE rule fired (SHADOW rules never raise one). */
export function raisesAlert(score: ModelScore, outcome: RuleOutcome): boolean {
  return score.severity !== 'LOW' || outcome.fired.length > 0
}
