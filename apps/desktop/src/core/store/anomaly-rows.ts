import { severityRank, type AnomalyStatus, type LabelKind, type Severity, type TSyncAnomaly } from '@anomalyze/shared'
import { FEATURE_NAMES } from '@anomalyze/shared/engine'
import type { DecisionConflict } from '../../contract/decisions.ts'
import type { AnomalyDetail, MovedDirection, QueueRow } from '../../contract/queue.ts'

/** One row of the anomalies table, as better-sqlite3 returns it. */
export interface AnomalyRecord {
  n: number
  id: string
  batch_id: string | null
  tx_row_id: string
  tx_id: string
  ts: number
  amount: number
  currency: string
  account_id: string
  merchant_id: string
  category: string | null
  country: string | null
  channel: string | null
  score: number
  severity: Severity
  severity_rank: number
  rules_json: string
  rules_text: string
  explanation: string
  explanation_data: string | null
  model_version: string | null
  status: AnomalyStatus
  is_false_positive: number
  decision_label: LabelKind | null
  decision_note: string | null
  decided_by: string | null
  decided_at: number | null
  /** Migration 5: the decision in force's mutationId (a later decision's basedOn) and its decider's user id. */
  decision_mutation_id: string | null
  decided_by_id: string | null
  created_at: number
  updated_at: number
}

/** Named parameters for the upsert statement (everything but the integer key). */
export type AnomalyParams = Omit<AnomalyRecord, 'n'>

/** Columns of migration 3: re-scoring with the account's active model (see rescore-rows.ts). */
export interface RescoreColumns {
  features: Buffer | null
  prev_score: number | null
  prev_severity: Severity | null
  prev_model_version: string | null
  moved: MovedDirection | null
}

/** What the queue queries read: every column but the feature vector, plus whether a decision is still pending. */
export type StoredAnomaly = AnomalyRecord & Partial<Omit<RescoreColumns, 'features'>> & { pending: number; case_id?: string | null }

/** The columns a queue row shows (see toQueueRow); a list page reads only these. */
export type QueueRowRecord = Pick<
  StoredAnomaly,
  'n' | 'id' | 'tx_id' | 'ts' | 'amount' | 'currency' | 'account_id' | 'merchant_id' | 'score' | 'severity' | 'rules_json' | 'status' | 'moved' | 'pending'
>

/**
 * A feature vector as stored: float32 little-endian, the precision ONNX scores with.
 * Only vectors of this build's width are kept; another width cannot be scored here.
 */
export function featuresBlob(features: readonly number[] | null | undefined): Buffer | null {
  if (features === null || features === undefined || features.length !== FEATURE_NAMES.length) return null
  const floats = Float32Array.from(features)
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength)
}

/** Flattens a synced anomaly (and its transaction) into table columns. */
export function toAnomalyParams(anomaly: TSyncAnomaly, batchId: string | null = null): AnomalyParams {
  const t = anomaly.transaction
  return {
    id: anomaly.id,
    batch_id: batchId,
    tx_row_id: t.id,
    tx_id: t.txId,
    ts: t.timestamp,
    amount: t.amount,
    currency: t.currency,
    account_id: t.accountId,
    merchant_id: t.merchantId,
    category: t.category,
    country: t.country,
    channel: t.channel,
    score: anomaly.score,
    severity: anomaly.severity,
    severity_rank: severityRank(anomaly.severity),
    rules_json: JSON.stringify(anomaly.ruleViolations),
    rules_text: ` ${anomaly.ruleViolations.join(' ')} `,
    explanation: anomaly.explanation,
    explanation_data: anomaly.explanationData === null ? null : JSON.stringify(anomaly.explanationData),
    model_version: anomaly.modelVersion,
    status: anomaly.status,
    is_false_positive: anomaly.isFalsePositive ? 1 : 0,
    decision_label: anomaly.latestDecision?.label ?? null,
    decision_note: anomaly.latestDecision?.note ?? null,
    decided_by: anomaly.latestDecision?.decidedBy ?? null,
    decided_at: anomaly.latestDecision?.decidedAt ?? null,
    decision_mutation_id: anomaly.latestDecision?.mutationId ?? null,
    decided_by_id: anomaly.latestDecision?.decidedById ?? null,
    created_at: anomaly.createdAt,
    updated_at: anomaly.updatedAt,
  }
}

const COLUMNS = Object.keys(toAnomalyParams(sampleAnomaly())) as Array<keyof AnomalyParams>

/** Insert or replace by id, keeping the integer key (and so the renderer's snapshots) stable. */
export const UPSERT_ANOMALY_SQL = `
  INSERT INTO anomalies (${COLUMNS.join(', ')})
  VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`

/**
 * A synced row, with its feature vector. The server's score replaces a score this
 * desktop computed with a newer model only when it is news: while the server still
 * holds the score the re-score replaced (same model version as prev_model_version),
 * a pulled label or status change keeps the local score and its moved marker.
 */
export const UPSERT_SYNCED_SQL = (() => {
  // case_id only comes with the pull (offline-scored rows belong to no case).
  const columns = [...COLUMNS, 'features', 'case_id']
  const rescored = ['score', 'severity', 'severity_rank', 'model_version']
  const keep = 'anomalies.prev_model_version IS NOT NULL AND excluded.model_version IS anomalies.prev_model_version'
  const updates = columns
    .filter((c) => c !== 'id' && !rescored.includes(c))
    .map((c) => (c === 'features' ? 'features = coalesce(excluded.features, anomalies.features)' : `${c} = excluded.${c}`))
  updates.push(...rescored.map((c) => `${c} = CASE WHEN ${keep} THEN anomalies.${c} ELSE excluded.${c} END`))
  updates.push(...['prev_score', 'prev_severity', 'prev_model_version', 'moved'].map((c) => `${c} = CASE WHEN ${keep} THEN anomalies.${c} ELSE NULL END`))
  return `
  INSERT INTO anomalies (${columns.join(', ')})
  VALUES (${columns.map((c) => `@${c}`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`
})()

/**
 * SELECT lists for the queue: never `*`, which would drag each row's feature vector
 * (the re-score input, never shown) and the explanation through every page.
 */
export const QUEUE_ROW_SELECT = 'n, id, tx_id, ts, amount, currency, account_id, merchant_id, score, severity, rules_json, status, moved'
export const DETAIL_SELECT = `n, ${COLUMNS.join(', ')}, prev_score, prev_severity, prev_model_version, moved, case_id`

export function toQueueRow(record: QueueRowRecord): QueueRow {
  return {
    key: record.n,
    id: record.id,
    txId: record.tx_id,
    timestamp: record.ts,
    amount: record.amount,
    currency: record.currency,
    accountId: record.account_id,
    merchantId: record.merchant_id,
    score: record.score,
    severity: record.severity,
    rules: JSON.parse(record.rules_json) as string[],
    status: record.status,
    pending: record.pending > 0,
    moved: record.moved ?? null,
  }
}

export function toAnomalyDetail(record: StoredAnomaly, conflict: DecisionConflict | null = null): AnomalyDetail {
  return {
    ...toQueueRow(record),
    rescore:
      record.prev_score === null || record.prev_score === undefined || record.prev_severity == null
        ? null
        : { previousScore: record.prev_score, previousSeverity: record.prev_severity, previousModelVersion: record.prev_model_version ?? null },
    category: record.category,
    country: record.country,
    channel: record.channel,
    explanation: record.explanation,
    explanationData: record.explanation_data === null ? null : (JSON.parse(record.explanation_data) as unknown),
    modelVersion: record.model_version,
    batchId: record.batch_id,
    caseId: record.case_id ?? null,
    latestDecision:
      record.decision_label === null
        ? null
        : {
            label: record.decision_label,
            note: record.decision_note,
            decidedBy: record.decided_by ?? 'unknown',
            decidedAt: record.decided_at ?? 0,
            ...(record.decision_mutation_id === null ? {} : { mutationId: record.decision_mutation_id }),
            ...(record.decided_by_id === null ? {} : { decidedById: record.decided_by_id }),
          },
    createdAt: record.created_at,
    updatedAt: record.updated_at,
    conflict,
  }
}

// Only used to list the column names once, from the mapping function itself, so the
// SQL and the mapping cannot drift apart.
function sampleAnomaly(): TSyncAnomaly {
  return {
    id: '',
    transaction: { id: '', txId: '', timestamp: 0, amount: 0, currency: '', accountId: '', merchantId: '', category: null, country: null, channel: null },
    score: 0,
    severity: 'LOW',
    ruleViolations: [],
    explanation: '',
    explanationData: null,
    modelVersion: null,
    status: 'OPEN',
    isFalsePositive: false,
    latestDecision: null,
    createdAt: 0,
    updatedAt: 0,
  }
}
