import { ZTransactionInput, type TTransaction } from '@anomalyze/shared'
import {
  applyRuleOutcome,
  computeFeaturesInPlace,
  explainScore,
  FEATURE_NAMES,
  findSuppression,
  newAccountState,
  newMerchantState,
  raisesAlert,
  toExplanationData,
} from '@anomalyze/shared/engine'
import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import { inSqlTransaction, inTwoRoundTrips, sqlLiteral, type SqlClient } from '../../db/sql.ts'
import type { ModelRegistry } from '../models/model-registry.ts'
import type { JobQueue } from '../../jobs/job-queue.ts'
import { assignNewCasesRoundRobin } from '../cases/assign-new-cases.ts'
import { noticeAssigned } from '../cases/assignment-notices.ts'
import { caseOpeningStatements, casePlanCtes, planCases, readCaseContext, type AlertToFile } from '../cases/attach-to-cases.ts'
import { isDataError, refusedByDatabase } from './data-errors.ts'
import { insertAnomaliesCte, type NewAnomaly } from './insert-anomalies.ts'
import { insertRuleHitsCte, type NewRuleHit } from './insert-rule-hits.ts'
import { insertSuppressedAlertsCte, type NewSuppressedAlert } from './insert-suppressed-alerts.ts'
import { ruleSetFor } from '../rules/rule-set-cache.ts'
import {
  lockStatesStatements,
  readLockedStates,
  saveStatesCtes,
  textArrayLiteral,
  type LockedStates,
  type StateRow,
} from '../feature-state/feature-state-store.ts'
import { insertTransactionsCte } from './insert-transactions.ts'

/** A row of the opening statement: a stored transaction ('t': key txId, state its id) or a locked state. */
type OpenedRow = StateRow

/** Most transactions one call may carry; larger loads go through batch CSV jobs. */
export const MAX_INGEST_BATCH = 1_000

export type ItemOutcome =
  | { index: number; txId: string; outcome: 'accepted'; transactionId: string; anomalyId: string | null }
  | { index: number; txId: string; outcome: 'duplicate' }
  | { index: number; txId: string | null; outcome: 'rejected'; errors: { field: string; message: string }[] }

export interface IngestResult {
  accepted: number
  duplicates: number
  rejected: number
  items: ItemOutcome[]
  anomalies: { id: string; txId: string; score: number; severity: string; ruleViolations: string[] }[]
  modelVersion: string
  /** Cases this call opened and handed to someone round-robin (the caller tells them, after commit). */
  assignedCases: { caseId: string; assigneeId: string }[]
}

export interface IngestOptions {
  source?: 'REALTIME_API' | 'BATCH_CSV'
  batchJobId?: string
  /**
   * Runs inside the database transaction that stores the batch, once every item has
   * its outcome: a batch job commits its progress counters with the rows themselves,
   * so a crash can never leave rows stored but uncounted (or counted but not stored).
   */
  onCommit?: (sql: SqlClient, outcomes: readonly ItemOutcome[]) => Promise<void>
  /**
   * A check running alongside the first round trip (the API limits, see the ingest
   * router): the batch is stored only once it resolves; if it rejects, the transaction
   * rolls back and its error is what the call throws.
   */
  admitted?: Promise<unknown>
  /** Where the `assigned` notices of cases handed out round-robin are queued (none without it). */
  jobs?: JobQueue
  /** Where a notice that could not be queued is reported. */
  log?: { error: (object: unknown, message?: string) => void }
}

/**
 * Validates, stores and scores a batch. Every item gets its own outcome: invalid
 * items are rejected with field errors while the valid ones are still accepted; a
 * txId the account already has is a duplicate and never a second row, also when
 * retries race (the unique (orgId, txId) index decides). New transactions are
 * scored in time order against feature state locked in Postgres, in the same
 * database transaction that stores them and their anomalies.
 *
 * The organisation's rule set in force (services/rules/rule-set-cache.ts) judges every
 * new transaction with the model: fired ACTIVE rules raise an alert and lift its score
 * (boost) and severity (floor); SHADOW rules only leave RuleHit rows; an alert whose
 * transaction an ALLOW list names is stored as a SuppressedAlert instead (no case).
 *
 * The whole path speaks SQL through `pg` (see sqlPoolOf) in two round trips (see
 * inTwoRoundTrips): a batch job's onCommit adds its own.
 */
export async function ingestTransactions(db: Db, models: ModelRegistry, orgId: string, items: unknown[], options: IngestOptions = {}): Promise<IngestResult> {
  // Awaited below; handled now, so a rejection before then is not reported as unhandled.
  options.admitted?.catch(() => undefined)
  const outcomes: ItemOutcome[] = new Array(items.length)
  const valid: { index: number; tx: TTransaction }[] = []
  const firstIndexOf = new Map<string, number>()
  items.forEach((item, index) => {
    const parsed = ZTransactionInput.safeParse(item)
    if (!parsed.success) {
      const txId = typeof (item as { txId?: unknown } | null)?.txId === 'string' ? (item as { txId: string }).txId : null
      const errors = parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(item)', message: issue.message }))
      outcomes[index] = { index, txId, outcome: 'rejected', errors }
    } else if (firstIndexOf.has(parsed.data.txId)) {
      outcomes[index] = { index, txId: parsed.data.txId, outcome: 'duplicate' }
    } else {
      firstIndexOf.set(parsed.data.txId, index)
      valid.push({ index, tx: parsed.data })
    }
  })

  const [model, ruleSet] = await Promise.all([models.activeFor(db, orgId), ruleSetFor(db, orgId)])
  const anomalies: IngestResult['anomalies'] = []
  // Cases the batch opened while the organisation assigns round-robin (read once per batch, in the opening).
  const openedForRoundRobin: string[] = []
  // Scores what the opening statement stored, against the states it locked, and
  // returns the statement that saves the states and stores the anomalies.
  const scoreStored = async (part: typeof valid, opened: OpenedRow[], sql: SqlClient): Promise<{ closing: string | null; result: undefined }> => {
    await options.admitted
    const idOf = new Map<string, string>()
    const stateRows: StateRow[] = []
    for (const row of opened) {
      if (row.kind === 't') idOf.set(row.key, row.state as string)
      else stateRows.push(row)
    }
    const fresh = part.filter(({ tx: t }) => idOf.has(t.txId)).sort((a, b) => a.tx.timestamp - b.tx.timestamp)
    for (const { index, tx: t } of part) {
      if (!idOf.has(t.txId)) outcomes[index] = { index, txId: t.txId, outcome: 'duplicate' }
    }
    const closing = fresh.length === 0 ? null : await scoreFresh(fresh, idOf, readLockedStates(stateRows), stateRows)
    await options.onCommit?.(sql, outcomes)
    return { closing, result: undefined }
  }
  const scoreFresh = async (fresh: typeof valid, idOf: Map<string, string>, states: LockedStates, caseRows: StateRow[]): Promise<string> => {
    const width = FEATURE_NAMES.length
    const rows = new Float32Array(fresh.length * width)
    const config = model.loaded.model.featureConfig
    // Only the states the new transactions moved are written back: a duplicate's
    // account and merchant were locked too (see the opening), but are left as they are.
    const touched: LockedStates = { accounts: new Map(), merchants: new Map() }
    fresh.forEach(({ tx: t }, i) => {
      const account = touched.accounts.get(t.accountId) ?? states.accounts.get(t.accountId) ?? newAccountState()
      const merchant = touched.merchants.get(t.merchantId) ?? states.merchants.get(t.merchantId) ?? newMerchantState()
      computeFeaturesInPlace(t, account, merchant, config, rows.subarray(i * width, (i + 1) * width))
      touched.accounts.set(t.accountId, account)
      touched.merchants.set(t.merchantId, merchant)
    })

    const scores = await model.loaded.scorer.score(rows, fresh.length)
    const newAnomalies: NewAnomaly[] = []
    const ruleHits: NewRuleHit[] = []
    const suppressed: NewSuppressedAlert[] = []
    const toFile: AlertToFile[] = []
    fresh.forEach(({ index, tx: t }, i) => {
      const features = rows.subarray(i * width, (i + 1) * width)
      const outcome = ruleSet.compiled.evaluate(t, features, 0, ruleSet.lists)
      const transactionId = idOf.get(t.txId) as string
      for (const ruleName of outcome.fired) ruleHits.push({ transactionId, ruleName, mode: 'ACTIVE' })
      for (const ruleName of outcome.shadow) ruleHits.push({ transactionId, ruleName, mode: 'SHADOW' })
      const modelScore = scores[i]
      const score = modelScore && applyRuleOutcome(modelScore, outcome, model.loaded.model.thresholds)
      if (!score || !raisesAlert(score, outcome)) {
        outcomes[index] = { index, txId: t.txId, outcome: 'accepted', transactionId, anomalyId: null }
        return
      }
      const rules = outcome.fired
      // Looked up only for what would be an alert: most transactions never get here.
      const suppression = findSuppression(t, ruleSet.lists)
      if (suppression !== null) {
        suppressed.push({ transactionId, suppression, score: score.score, severity: score.severity, ruleViolations: rules })
        outcomes[index] = { index, txId: t.txId, outcome: 'accepted', transactionId, anomalyId: null }
        return
      }
      const explanation = explainScore(model.loaded.model, features, rules, { scored: score, currency: t.currency })
      const anomalyId = crypto.randomUUID()
      newAnomalies.push({
        id: anomalyId,
        transactionId,
        score: score.score,
        severity: score.severity,
        ruleViolations: rules,
        explanation: explanation.summary,
        explanationData: {
          ...toExplanationData(explanation),
          isolationScore: score.isolationScore,
          fraudProbability: score.fraudProbability,
          // The vector the model saw, in FEATURE_NAMES order: desktops re-score their
          // queue with it when a new model becomes active.
          features: Array.from(features, (v) => Number(v.toPrecision(7))),
        },
        caseId: null,
      })
      toFile.push({ anomalyId, accountId: t.accountId, merchantId: t.merchantId, severity: score.severity })
      anomalies.push({ id: anomalyId, txId: t.txId, score: score.score, severity: score.severity, ruleViolations: rules })
      outcomes[index] = { index, txId: t.txId, outcome: 'accepted', transactionId, anomalyId }
    })
    const ctes = [saveStatesCtes(orgId, touched)]
    if (newAnomalies.length > 0) {
      const now = Date.now()
      const context = readCaseContext(caseRows)
      const plan = planCases(toFile, context, now)
      if (context.roundRobin) openedForRoundRobin.push(...plan.opened.map((c) => c.id))
      for (const a of newAnomalies) a.caseId = plan.caseOf.get(a.id) ?? null
      ctes.push(...casePlanCtes(orgId, plan, now))
      ctes.push(insertAnomaliesCte(orgId, model.version, ruleSet.version, newAnomalies))
    }
    if (ruleHits.length > 0) ctes.push(insertRuleHitsCte(orgId, ruleSet.version, ruleHits))
    if (suppressed.length > 0) ctes.push(insertSuppressedAlertsCte(orgId, ruleSet.version, model.version, suppressed))
    return `WITH ${ctes.join(', ')} SELECT 1`
  }

  // Round trip 1 stores the new transactions and locks the feature states of their
  // accounts and merchants; round trip 2 saves the states and the anomalies, and commits.
  // (The states of every valid item's account and merchant: a duplicate's are locked
  // too, unused, which costs less than asking which items were new first.)
  const store = async (part: typeof valid): Promise<void> => {
    const org = sqlLiteral(orgId)
    const accounts = textArrayLiteral(part.map(({ tx: t }) => t.accountId))
    const merchants = textArrayLiteral(part.map(({ tx: t }) => t.merchantId))
    const opening = [
      `WITH ${insertTransactionsCte(
        orgId,
        part.map(({ tx: t }) => t),
        { source: options.source ?? 'REALTIME_API', batchJobId: options.batchJobId ?? null },
      )}
       SELECT 't' AS kind, "txId" AS key, to_jsonb("id") AS state FROM ins`,
      ...lockStatesStatements(org, accounts, merchants),
      // After the state locks, which serialise batches of one account (attach-to-cases.ts).
      ...caseOpeningStatements(org, accounts, merchants),
    ].join(';\n')
    await inTwoRoundTrips(sqlPoolOf(db), opening, (opened: OpenedRow[], sql) => scoreStored(part, opened, sql))
  }
  // Validation keeps out what Postgres cannot store, but should an item still be refused
  // as data (isDataError), that must not fail the others: the items are stored in halves,
  // down to the one refused, which is rejected with the database's reason. Only without
  // onCommit (a batch job commits its counters once per call and splits its own chunks).
  const storeSplitting = async (part: typeof valid): Promise<void> => {
    const anomaliesBefore = anomalies.length
    const openedBefore = openedForRoundRobin.length
    try {
      await store(part)
    } catch (error) {
      if (options.onCommit || !isDataError(error)) throw error
      // What the rolled-back attempt scored is not stored: forget its anomalies (its
      // items' outcomes are written again below).
      anomalies.length = anomaliesBefore
      openedForRoundRobin.length = openedBefore
      if (part.length === 1) {
        const { index, tx } = part[0] as (typeof valid)[number]
        outcomes[index] = { index, txId: tx.txId, outcome: 'rejected', errors: [{ field: '(item)', message: refusedByDatabase(error) }] }
        return
      }
      const middle = Math.floor(part.length / 2)
      await storeSplitting(part.slice(0, middle))
      await storeSplitting(part.slice(middle))
    }
  }

  if (valid.length > 0) {
    await storeSplitting(valid)
  } else {
    await options.admitted
    const onCommit = options.onCommit
    if (onCommit) await inSqlTransaction(sqlPoolOf(db), (sql) => onCommit(sql, outcomes))
  }
  // After commit (see assign-new-cases.ts); the notices after the assignments committed.
  const assignedCases = openedForRoundRobin.length === 0 ? [] : await assignNewCasesRoundRobin(db, orgId, openedForRoundRobin)
  for (const a of assignedCases) await noticeAssigned(options.jobs, { orgId, caseId: a.caseId, assigneeId: a.assigneeId }, options.log)
  const count = (kind: ItemOutcome['outcome']) => outcomes.filter((o) => o.outcome === kind).length
  return {
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    rejected: count('rejected'),
    items: outcomes,
    anomalies,
    modelVersion: model.version,
    assignedCases,
  }
}
