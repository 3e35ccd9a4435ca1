import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import { AppError, statusForLabel, type AnomalyStatus, type LabelKind, type TDecisionInput } from '@anomalyze/shared'
import type { DecideArgs, DecideResult, UndoResult } from '../../contract/handlers.ts'
import { writeTransaction } from './open-database.ts'

export interface PushOutcome {
  mutationId: string
  outcome: 'applied' | 'duplicate' | 'superseded' | 'rejected'
  status: AnomalyStatus | null
  reason?: string
}

export interface Outbox {
  /** Sets the anomalies' status now (optimistic) and queues one decision per anomaly. */
  record(args: DecideArgs, decidedBy: string, now: number): DecideResult
  /** Takes back the latest action whose decisions have not left the machine. */
  undoLast(): UndoResult
  /** Oldest first; marks them in flight so that undo cannot race the push. */
  takeForPush(limit: number): TDecisionInput[]
  /** The push failed before an answer: the decisions go back to waiting. */
  releaseInFlight(): void
  markOutcomes(results: readonly PushOutcome[], now: number): void
  counts(): { pending: number; rejected: number }
}

interface DecisionSnapshot {
  label: string | null
  note: string | null
  by: string | null
  at: number | null
}

export function createOutbox(db: Database.Database): Outbox {
  // A crash mid-push leaves rows marked in flight: they are simply pending again
  // (the server recognises a resent mutationId as a duplicate).
  db.exec('UPDATE outbox SET in_flight = 0 WHERE in_flight = 1')

  const current = db.prepare<
    [string],
    {
      status: AnomalyStatus
      batch_id: string | null
      decision_label: string | null
      decision_note: string | null
      decided_by: string | null
      decided_at: number | null
    }
  >('SELECT status, batch_id, decision_label, decision_note, decided_by, decided_at FROM anomalies WHERE id = ?')
  const insert = db.prepare(
    `INSERT INTO outbox (mutation_id, action_id, anomaly_id, label, note, decided_at, previous_status, previous_decision_json, local_only, pushed_at, outcome)
     VALUES (@mutationId, @actionId, @anomalyId, @label, @note, @decidedAt, @previousStatus, @previousDecision, @localOnly, @pushedAt, @outcome)`,
  )
  const setDecision = db.prepare(
    `UPDATE anomalies SET status = @status, decision_label = @label, decision_note = @note, decided_by = @by, decided_at = @at,
       is_false_positive = (@status = 'FALSE_POSITIVE') WHERE id = @id`,
  )
  const lastAction = db.prepare<[], { action_id: string }>('SELECT action_id FROM outbox WHERE undone = 0 ORDER BY decided_at DESC, rowid DESC LIMIT 1')
  const actionRows = db.prepare<
    [string],
    {
      anomaly_id: string
      previous_status: AnomalyStatus
      previous_decision_json: string | null
      pushed_at: number | null
      local_only: number
      in_flight: number
    }
  >('SELECT anomaly_id, previous_status, previous_decision_json, pushed_at, local_only, in_flight FROM outbox WHERE action_id = ? ORDER BY rowid DESC')
  const markUndone = db.prepare<[string]>('UPDATE outbox SET undone = 1 WHERE action_id = ?')
  const pending = db.prepare<[number], { mutation_id: string; anomaly_id: string; label: LabelKind; note: string | null; decided_at: number }>(
    `SELECT mutation_id, anomaly_id, label, note, decided_at FROM outbox
     WHERE pushed_at IS NULL AND undone = 0 ORDER BY decided_at, rowid LIMIT ?`,
  )
  const setInFlight = db.prepare<[string]>('UPDATE outbox SET in_flight = 1 WHERE mutation_id = ?')
  const outcome = db.prepare(
    `UPDATE outbox SET pushed_at = @now, outcome = @outcome, outcome_reason = @reason, in_flight = 0 WHERE mutation_id = @mutationId
     RETURNING anomaly_id`,
  )
  const newerPending = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE anomaly_id = ? AND pushed_at IS NULL AND undone = 0')
  const setStatus = db.prepare("UPDATE anomalies SET status = @status, is_false_positive = (@status = 'FALSE_POSITIVE') WHERE id = @id")
  const countPending = db.prepare('SELECT COUNT(*) FROM outbox WHERE pushed_at IS NULL AND undone = 0').pluck()
  const countRejected = db.prepare("SELECT COUNT(*) FROM outbox WHERE outcome = 'rejected' AND undone = 0").pluck()

  const record = writeTransaction(db, (args: DecideArgs, decidedBy: string, now: number): DecideResult => {
    const actionId = randomUUID()
    for (const anomalyId of new Set(args.anomalyIds)) {
      const before = current.get(anomalyId)
      if (before === undefined) throw new AppError('NOT_FOUND', `No anomaly ${anomalyId} in the local cache`, { anomalyId })
      const previous: DecisionSnapshot = { label: before.decision_label, note: before.decision_note, by: before.decided_by, at: before.decided_at }
      const localOnly = before.batch_id !== null
      insert.run({
        mutationId: randomUUID(),
        actionId,
        anomalyId,
        label: args.label,
        note: args.note ?? null,
        decidedAt: now,
        previousStatus: before.status,
        previousDecision: JSON.stringify(previous),
        localOnly: localOnly ? 1 : 0,
        pushedAt: localOnly ? now : null,
        outcome: localOnly ? 'local' : null,
      })
      setDecision.run({ id: anomalyId, status: statusForLabel(args.label), label: args.label, note: args.note ?? null, by: decidedBy, at: now })
    }
    return { actionId, decided: new Set(args.anomalyIds).size }
  })

  const undoLast = writeTransaction(db, (): UndoResult => {
    const last = lastAction.get()
    if (last === undefined) return { restored: 0, anomalyIds: [] }
    const rows = actionRows.all(last.action_id)
    if (rows.some((r) => r.local_only === 0 && (r.pushed_at !== null || r.in_flight === 1))) {
      throw new AppError('CONFLICT', 'That decision has already been sent to the server; label the anomaly again instead of undoing.')
    }
    for (const row of rows) {
      const previous = row.previous_decision_json === null ? null : (JSON.parse(row.previous_decision_json) as DecisionSnapshot)
      setDecision.run({
        id: row.anomaly_id,
        status: row.previous_status,
        label: previous?.label ?? null,
        note: previous?.note ?? null,
        by: previous?.by ?? null,
        at: previous?.at ?? null,
      })
    }
    markUndone.run(last.action_id)
    return { restored: rows.length, anomalyIds: rows.map((r) => r.anomaly_id) }
  })

  const takeForPush = writeTransaction(db, (limit: number): TDecisionInput[] =>
    pending.all(limit).map((row) => {
      setInFlight.run(row.mutation_id)
      return {
        mutationId: row.mutation_id,
        anomalyId: row.anomaly_id,
        label: row.label,
        ...(row.note === null ? {} : { note: row.note }),
        decidedAt: row.decided_at,
      }
    }),
  )

  const markOutcomes = writeTransaction(db, (results: readonly PushOutcome[], now: number) => {
    for (const result of results) {
      const updated = outcome.get({ now, outcome: result.outcome, reason: result.reason ?? null, mutationId: result.mutationId }) as
        { anomaly_id: string } | undefined
      if (updated === undefined || result.status === null) continue
      // A newer local decision still waiting keeps the status the analyst chose last.
      if ((newerPending.get(updated.anomaly_id)?.n ?? 0) > 0) continue
      setStatus.run({ status: result.status, id: updated.anomaly_id })
    }
  })

  return {
    record,
    undoLast,
    takeForPush,
    releaseInFlight: () => {
      db.exec('UPDATE outbox SET in_flight = 0 WHERE in_flight = 1')
    },
    markOutcomes,
    counts: () => ({ pending: countPending.get() as number, rejected: countRejected.get() as number }),
  }
}
