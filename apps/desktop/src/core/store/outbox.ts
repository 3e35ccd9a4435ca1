import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import { AppError, statusForLabel, type AnomalyStatus, type LabelKind, type TDecisionInput, type TPushOutput } from '@anomalyze/shared'
import type { DecideArgs, DecideResult, DecisionConflict, ReopenArgs, StandingDecision, UndoResult } from '../../contract/decisions.ts'
import { writeTransaction } from './open-database.ts'

/** The server's answer to one pushed decision (sync contract: applied, duplicate, superseded, conflict, rejected). */
export type PushOutcome = TPushOutput['results'][number]

/** Who decides: their name as shown to people, and their user id (null before sign-in). */
export interface Decider {
  id: string | null
  name: string
}

export interface Outbox {
  /**
   * Sets the anomalies' status now (optimistic) and queues one decision per anomaly,
   * each based on the decision in force the analyst saw (see the contract's basedOn).
   * A plain string is the decider's name.
   */
  record(args: DecideArgs, decidedBy: string | Decider, now: number): DecideResult
  /** Reopens an alert someone else decided first: one decision, based on their standing one. */
  reopen(args: ReopenArgs, decidedBy: string | Decider, now: number): DecideResult
  /** Takes back the latest action whose decisions have not left the machine. */
  undoLast(): UndoResult
  /** Oldest first; marks them in flight so that undo cannot race the push. */
  takeForPush(limit: number): TDecisionInput[]
  /** The push failed before an answer: the decisions go back to waiting. */
  releaseInFlight(): void
  markOutcomes(results: readonly PushOutcome[], now: number): void
  /** This analyst's decision overruled on the anomaly by another person's standing one, or null. */
  conflictOn(anomalyId: string): DecisionConflict | null
  counts(): { pending: number; rejected: number; conflicts: number }
}

interface DecisionSnapshot {
  label: string | null
  note: string | null
  by: string | null
  at: number | null
  /** Absent from snapshots taken before migration 5. */
  byId?: string | null
  mutationId?: string | null
}

/**
 * A conflict is shown while it is the anomaly's latest decision from this desktop and
 * the decision that beat it is still the one in force here: deciding the alert again
 * (a reopen) or a later decision pulled from someone else ends it.
 */
export function openConflictSql(outbox: string, anomalies: string): string {
  return `${outbox}.outcome = 'conflict' AND ${outbox}.undone = 0
  AND ${anomalies}.decision_mutation_id = json_extract(${outbox}.standing_json, '$.mutationId')
  AND NOT EXISTS (SELECT 1 FROM outbox later WHERE later.anomaly_id = ${outbox}.anomaly_id AND later.undone = 0 AND later.rowid > ${outbox}.rowid)`
}
const OPEN_CONFLICT_SQL = openConflictSql('o', 'a')

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
      decided_by_id: string | null
      decided_at: number | null
      decision_mutation_id: string | null
    }
  >('SELECT status, batch_id, decision_label, decision_note, decided_by, decided_by_id, decided_at, decision_mutation_id FROM anomalies WHERE id = ?')
  const insert = db.prepare(
    `INSERT INTO outbox (mutation_id, action_id, anomaly_id, label, note, decided_at, previous_status, previous_decision_json, local_only, pushed_at, outcome,
       based_on, decided_by, decided_by_id)
     VALUES (@mutationId, @actionId, @anomalyId, @label, @note, @decidedAt, @previousStatus, @previousDecision, @localOnly, @pushedAt, @outcome,
       @basedOn, @decidedBy, @decidedById)`,
  )
  const setDecision = db.prepare(
    `UPDATE anomalies SET status = @status, decision_label = @label, decision_note = @note, decided_by = @by, decided_by_id = @byId, decided_at = @at,
       decision_mutation_id = @mutationId, is_false_positive = (@status = 'FALSE_POSITIVE') WHERE id = @id`,
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
  const pending = db.prepare<
    [number],
    { mutation_id: string; anomaly_id: string; label: LabelKind; note: string | null; decided_at: number; based_on: string | null }
  >(
    `SELECT mutation_id, anomaly_id, label, note, decided_at, based_on FROM outbox
     WHERE pushed_at IS NULL AND undone = 0 ORDER BY decided_at, rowid LIMIT ?`,
  )
  const setInFlight = db.prepare<[string]>('UPDATE outbox SET in_flight = 1 WHERE mutation_id = ?')
  const outcome = db.prepare(
    `UPDATE outbox SET pushed_at = @now, outcome = @outcome, outcome_reason = @reason, standing_json = @standing, in_flight = 0
     WHERE mutation_id = @mutationId RETURNING anomaly_id`,
  )
  const newerPending = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE anomaly_id = ? AND pushed_at IS NULL AND undone = 0')
  const setStatus = db.prepare("UPDATE anomalies SET status = @status, is_false_positive = (@status = 'FALSE_POSITIVE') WHERE id = @id")
  const countPending = db.prepare('SELECT COUNT(*) FROM outbox WHERE pushed_at IS NULL AND undone = 0').pluck()
  const countRejected = db.prepare("SELECT COUNT(*) FROM outbox WHERE outcome = 'rejected' AND undone = 0").pluck()
  const countConflicts = db.prepare(`SELECT COUNT(*) FROM outbox o JOIN anomalies a ON a.id = o.anomaly_id WHERE ${OPEN_CONFLICT_SQL}`).pluck()
  const openConflict = db.prepare<[string], { mutation_id: string; label: LabelKind; note: string | null; decided_at: number; standing_json: string }>(
    `SELECT o.mutation_id, o.label, o.note, o.decided_at, o.standing_json FROM outbox o JOIN anomalies a ON a.id = o.anomaly_id
     WHERE o.anomaly_id = ? AND ${OPEN_CONFLICT_SQL}`,
  )

  /** One decision on one anomaly; `basedOn` undefined: the decision in force the analyst sees now. */
  const queue = (anomalyId: string, actionId: string, decision: { label: LabelKind; note: string | null; basedOn?: string }, decider: Decider, now: number) => {
    const before = current.get(anomalyId)
    if (before === undefined) throw new AppError('NOT_FOUND', `No anomaly ${anomalyId} in the local cache`, { anomalyId })
    const previous: DecisionSnapshot = {
      label: before.decision_label,
      note: before.decision_note,
      by: before.decided_by,
      at: before.decided_at,
      byId: before.decided_by_id,
      mutationId: before.decision_mutation_id,
    }
    const localOnly = before.batch_id !== null
    const mutationId = randomUUID()
    insert.run({
      mutationId,
      actionId,
      anomalyId,
      label: decision.label,
      note: decision.note,
      decidedAt: now,
      previousStatus: before.status,
      previousDecision: JSON.stringify(previous),
      localOnly: localOnly ? 1 : 0,
      pushedAt: localOnly ? now : null,
      outcome: localOnly ? 'local' : null,
      basedOn: decision.basedOn ?? before.decision_mutation_id,
      decidedBy: decider.name,
      decidedById: decider.id,
    })
    // The local decision is now the one in force on this screen: a next decision is based on it.
    setDecision.run({
      id: anomalyId,
      status: statusForLabel(decision.label),
      label: decision.label,
      note: decision.note,
      by: decider.name,
      byId: decider.id,
      at: now,
      mutationId,
    })
  }

  const record = writeTransaction(db, (args: DecideArgs, decidedBy: string | Decider, now: number): DecideResult => {
    const actionId = randomUUID()
    const decider = deciderOf(decidedBy)
    for (const anomalyId of new Set(args.anomalyIds)) queue(anomalyId, actionId, { label: args.label, note: args.note ?? null }, decider, now)
    return { actionId, decided: new Set(args.anomalyIds).size }
  })

  const reopen = writeTransaction(db, (args: ReopenArgs, decidedBy: string | Decider, now: number): DecideResult => {
    const actionId = randomUUID()
    const note = args.note.trim()
    if (note === '') throw new AppError('BAD_INPUT', 'Say why the alert is reopened: a note is required.')
    // Rows of a file scored here have no one else's decision to reopen.
    if (current.get(args.anomalyId)?.batch_id != null) {
      throw new AppError('BAD_INPUT', 'Only alerts synced from the server can be reopened.', { anomalyId: args.anomalyId })
    }
    queue(args.anomalyId, actionId, { label: args.label, note, basedOn: args.basedOn }, deciderOf(decidedBy), now)
    return { actionId, decided: 1 }
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
        byId: previous?.byId ?? null,
        at: previous?.at ?? null,
        mutationId: previous?.mutationId ?? null,
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
        basedOn: row.based_on,
      }
    }),
  )

  const markOutcomes = writeTransaction(db, (results: readonly PushOutcome[], now: number) => {
    for (const result of results) {
      const standing = result.outcome === 'conflict' ? standingOf(result) : null
      const updated = outcome.get({
        now,
        outcome: result.outcome,
        reason: result.reason ?? null,
        standing: standing === null ? null : JSON.stringify(standing),
        mutationId: result.mutationId,
      }) as { anomaly_id: string } | undefined
      if (updated === undefined || result.status === null) continue
      // A newer local decision still waiting keeps the status the analyst chose last.
      if ((newerPending.get(updated.anomaly_id)?.n ?? 0) > 0) continue
      if (standing === null) {
        setStatus.run({ status: result.status, id: updated.anomaly_id })
        continue
      }
      // The other person's decision is the one in force: shown at once (the pull confirms
      // it), and what the analyst decides next is based on it. Theirs stays in the outbox
      // row, and in the server's history.
      setDecision.run({
        id: updated.anomaly_id,
        status: result.status,
        label: standing.label,
        note: standing.note,
        by: standing.decidedBy,
        byId: result.standing?.decidedById ?? null,
        at: standing.decidedAt,
        mutationId: standing.mutationId,
      })
    }
  })

  const conflictOn = (anomalyId: string): DecisionConflict | null => {
    const row = openConflict.get(anomalyId)
    if (row === undefined) return null
    return {
      mine: { mutationId: row.mutation_id, label: row.label, note: row.note, decidedAt: row.decided_at },
      standing: JSON.parse(row.standing_json) as StandingDecision,
    }
  }

  return {
    record,
    reopen,
    undoLast,
    takeForPush,
    releaseInFlight: () => {
      db.exec('UPDATE outbox SET in_flight = 0 WHERE in_flight = 1')
    },
    markOutcomes,
    conflictOn,
    counts: () => ({ pending: countPending.get() as number, rejected: countRejected.get() as number, conflicts: countConflicts.get() as number }),
  }
}

function deciderOf(decidedBy: string | Decider): Decider {
  return typeof decidedBy === 'string' ? { id: null, name: decidedBy } : decidedBy
}

/** The standing decision of a `conflict` answer; null when the server named none it could be told by. */
function standingOf(result: PushOutcome): StandingDecision | null {
  const s = result.standing
  if (s?.mutationId === undefined) return null
  return { mutationId: s.mutationId, label: s.label, note: s.note, decidedBy: s.decidedBy, decidedAt: s.decidedAt }
}
