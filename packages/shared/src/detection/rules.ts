import { defaultCompiledRuleSet } from '../rules/default-rules.ts'
import { NO_LISTS } from '../rules/rule-types.ts'
import type { TTransaction } from '../transactions/transaction-input.ts'

// The default rules read features only, so a placeholder transaction serves them.
const NO_TRANSACTION: TTransaction = { txId: '', timestamp: 0, amount: 0, currency: 'INR', accountId: '', merchantId: '' }

/**
 * ACTIVE rules of the built-in rule set (DEFAULT_RULE_SET, version 0) fired for the
 * feature row at `offset`.
 *
 * @deprecated Rules are data now (issue #21): compile the organisation's rule set with
 * compileRuleSet and call its evaluate(tx, features, offset, lists), which also sees
 * the transaction's text fields and lists. Production code no longer calls it (the
 * server's ingest evaluates the published set); two engine tests still compare
 * against it (score-row-batches.test.ts, train-model.test.ts). The config argument
 * is ignored.
 */
export function evaluateRules(features: ArrayLike<number>, _config?: unknown, offset = 0): string[] {
  return defaultCompiledRuleSet().evaluate(NO_TRANSACTION, features, offset, NO_LISTS).fired
}
