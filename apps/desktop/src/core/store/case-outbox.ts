import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import {
  AppError,
  labelForClosing,
  statusForLabel,
  ZCaseAction,
  type AnomalyStatus,
  type TCaseAction,
  type TCasePerson,
  type TCasePushResult,
} from '@anomalyze/shared'
import type { CaseActArgs, CaseConflict, CaseTimelineEntry } from '../../contract/cases.ts'
import { applyCaseAction, conflictKindOf, pendingTimelineEntry, refusalOf, toWireAction, type QueuedCaseAction } from '../cases/case-actions.ts'
import { CASE_SELECT, parsePerson, toCaseRecord, UPSERT_CASE_SQL, type CaseRecord } from './case-rows.ts'
import { writeTransaction } from './open-database.ts'

/**
 * Case actions (claim, assign, unassign, status, comment, close) waiting for the
 * server. Kept apart from the decision outbox: a case action is one row per action
 * (not per anomaly), is answered applied/duplicate/conflict/rejected, and leaves the
 * table once answered, where a decision row stays for undo and history.
 *
 * Each action shows at once on the cached case (applyCaseAction); a close also shows
 * its undecided alerts decided. What it changed is kept (previous_json), so an action
 * the server refused is put back, and a pull re-applies the ones still waiting.
 */
export interface CaseOutbox {
  /** Applies the action to the cached case and queues it; throws NOT_FOUND / CONFLICT when it cannot apply here. */
  record(args: CaseActArgs, actor: TCasePerson, now: number): { mutationId: string; record: CaseRecord }
  /** Oldest first, marked in flight. */
  takeForPush(limit: number): TCaseAction[]
  releaseInFlight(): void
  /** Stores the server's answers: answered rows leave; a refusal is put back and remembered as the case's conflict. */
  markOutcomes(results: readonly TCasePushResult[], now: number): void
  /** Writes a case the server sent, with this console's waiting actions on it re-applied. */
  storeCase(row: Parameters<typeof toCaseRecord>[0]): void
  /** Re-applies waiting actions to the given cases (after a pull replaced them). */
  reapplyPending(caseIds: Iterable<string>): void
  isPending(mutationId: string): boolean
  pendingTimeline(caseId: string): CaseTimelineEntry[]
  conflictOn(caseId: string): CaseConflict | null
  /** The conflict recorded for this mutation (an answer just stored), or null. */
  conflictFor(mutationId: string): CaseConflict | null
  count(): number
}

interface OutboxRow {
  mutation_id: string
  case_id: string
  action_json: string
  at: number
  actor_id: string | null
  actor_name: string
  previous_json: string | null
}

/** What an action changed: the case row before it, and the alerts a close decided (id -> status before). */
interface Previous {
  record: CaseRecord
  alerts: Record<string, AnomalyStatus>
}

export function createCaseOutbox(db: Database.Database): CaseOutbox {
  db.exec('UPDATE case_outbox SET in_flight = 0 WHERE in_flight = 1')
  const getCase = db.prepare<[string], CaseRecord>(`SELECT ${CASE_SELECT} FROM cases WHERE id = ?`)
  const upsertCase = db.prepare(UPSERT_CASE_SQL)
  const undecided = db.prepare<[string], { id: string; status: AnomalyStatus }>(
    "SELECT id, status FROM anomalies WHERE case_id = ? AND status IN ('OPEN', 'NEEDS_REVIEW')",
  )
  const setStatus = db.prepare("UPDATE anomalies SET status = @status, is_false_positive = (@status = 'FALSE_POSITIVE') WHERE id = @id")
  const setAlertStatus = (status: AnomalyStatus, id: string) => setStatus.run({ status, id })
  const alertStatus = db.prepare<[string], AnomalyStatus>('SELECT status FROM anomalies WHERE id = ?').pluck()
  const insert = db.prepare(
    `INSERT INTO case_outbox (mutation_id, case_id, kind, action_json, at, actor_id, actor_name, previous_json)
     VALUES (@mutationId, @caseId, @kind, @actionJson, @at, @actorId, @actorName, @previousJson)`,
  )
  const rowsOfCase = db.prepare<[string], OutboxRow>('SELECT * FROM case_outbox WHERE case_id = ? ORDER BY at, rowid')
  const rowById = db.prepare<[string], OutboxRow>('SELECT * FROM case_outbox WHERE mutation_id = ?')
  const pending = db.prepare<[number], OutboxRow>('SELECT * FROM case_outbox WHERE in_flight = 0 ORDER BY at, rowid LIMIT ?')
  const setInFlight = db.prepare<[string]>('UPDATE case_outbox SET in_flight = 1 WHERE mutation_id = ?')
  const remove = db.prepare<[string]>('DELETE FROM case_outbox WHERE mutation_id = ?')
  const putConflict = db.prepare(
    `INSERT INTO case_conflicts (case_id, mutation_id, kind, held_by_json, message, at) VALUES (@caseId, @mutationId, @kind, @heldBy, @message, @at)
     ON CONFLICT (case_id) DO UPDATE SET mutation_id = excluded.mutation_id, kind = excluded.kind, held_by_json = excluded.held_by_json,
       message = excluded.message, at = excluded.at`,
  )
  // A later action of this analyst that the server applied ends the notice.
  const clearConflict = db.prepare<[string, number]>('DELETE FROM case_conflicts WHERE case_id = ? AND at <= ?')
  const conflictRow = db.prepare<[string], { kind: CaseConflict['kind']; held_by_json: string | null; message: string; at: number }>(
    'SELECT kind, held_by_json, message, at FROM case_conflicts WHERE case_id = ?',
  )
  const conflictByMutation = db.prepare<[string], { kind: CaseConflict['kind']; held_by_json: string | null; message: string; at: number }>(
    'SELECT kind, held_by_json, message, at FROM case_conflicts WHERE mutation_id = ?',
  )
  const countAll = db.prepare('SELECT COUNT(*) FROM case_outbox').pluck()

  const queued = (row: OutboxRow): QueuedCaseAction => {
    const stored = JSON.parse(row.action_json) as { args: CaseActArgs; assigneeName?: string | null }
    return {
      mutationId: row.mutation_id,
      args: stored.args,
      at: row.at,
      actor: { id: row.actor_id ?? '', name: row.actor_name },
      assigneeName: stored.assigneeName ?? null,
    }
  }

  /** Someone already named on a cached case or timeline: how an assignee is shown before the server answers. */
  const knownName = db
    .prepare<[string, string], string>(
      `SELECT name FROM (
         SELECT assignee_name AS name FROM cases WHERE assignee_id = ? AND assignee_name IS NOT NULL
         UNION ALL SELECT actor_name FROM case_events WHERE json_extract(actor_json, '$.id') = ?
       ) LIMIT 1`,
    )
    .pluck()

  const record = writeTransaction(db, (args: CaseActArgs, actor: TCasePerson, now: number) => {
    const before = getCase.get(args.caseId)
    if (before === undefined) throw new AppError('NOT_FOUND', `No case ${args.caseId} in the local cache: sync first.`, { caseId: args.caseId })
    const refusal = refusalOf(before, args)
    if (refusal !== null) throw new AppError('CONFLICT', refusal, { caseId: args.caseId })
    const mutationId = randomUUID()
    const assigneeName = args.kind === 'assign' ? (knownName.get(args.assigneeId, args.assigneeId) ?? null) : null
    const action: QueuedCaseAction = { mutationId, args, at: now, actor, assigneeName }
    // Checked against the wire contract before it is queued: one action the server's
    // schema refuses would fail every push that carries it, and hold up the others.
    const wire = ZCaseAction.safeParse(toWireAction(action))
    if (!wire.success) {
      const issue = wire.error.issues[0]
      const field = issue?.path.join('.') ?? 'action'
      throw new AppError('BAD_INPUT', `${field}: ${issue?.message ?? 'not a valid case action'}`, { field })
    }
    const after = applyCaseAction(before, action)
    const alerts: Record<string, AnomalyStatus> = {}
    if (args.kind === 'close') {
      const status = statusForLabel(labelForClosing(args.status))
      for (const alert of undecided.all(args.caseId)) {
        alerts[alert.id] = alert.status
        setAlertStatus(status, alert.id)
      }
    }
    upsertCase.run(after)
    const previous: Previous = { record: before, alerts }
    insert.run({
      mutationId,
      caseId: args.caseId,
      kind: args.kind,
      actionJson: JSON.stringify({ args, assigneeName }),
      at: now,
      actorId: actor.id,
      actorName: actor.name,
      previousJson: JSON.stringify(previous),
    })
    return { mutationId, record: after }
  })

  const reapply = (caseId: string) => {
    const base = getCase.get(caseId)
    if (base === undefined) return
    let current = base
    for (const row of rowsOfCase.all(caseId)) current = applyCaseAction(current, queued(row))
    if (current !== base) upsertCase.run(current)
  }

  /** Puts back what a refused action changed: the alerts it decided (where nothing else moved them) and, when the server sent no case, the row. */
  const putBack = (row: OutboxRow, serverSentCase: boolean) => {
    if (row.previous_json === null) return
    const previous = JSON.parse(row.previous_json) as Previous
    const shown = (queued(row).args as { status?: string }).status
    for (const [id, status] of Object.entries(previous.alerts)) {
      const now = alertStatus.get(id)
      if (shown !== undefined && now === statusForLabel(labelForClosing(shown as 'CLOSED_FRAUD' | 'CLOSED_LEGITIMATE'))) setAlertStatus(status, id)
    }
    if (!serverSentCase) upsertCase.run(previous.record)
  }

  const markOutcomes = writeTransaction(db, (results: readonly TCasePushResult[], now: number) => {
    for (const result of results) {
      const row = rowById.get(result.mutationId)
      if (row === undefined) continue
      remove.run(row.mutation_id)
      if (result.outcome === 'applied' || result.outcome === 'duplicate') {
        clearConflict.run(row.case_id, row.at)
      } else {
        putBack(row, result.case !== null)
        const kind = queued(row).args.kind
        const heldBy = result.heldBy ?? null
        putConflict.run({
          caseId: row.case_id,
          mutationId: row.mutation_id,
          kind: conflictKindOf(kind),
          heldBy: heldBy === null ? null : JSON.stringify(heldBy),
          message: result.reason ?? (result.outcome === 'conflict' ? 'A teammate acted on this case first.' : 'The server refused this action.'),
          at: now,
        })
      }
      if (result.case !== null) upsertCase.run(toCaseRecord(result.case))
      reapply(row.case_id)
    }
  })

  const takeForPush = writeTransaction(db, (limit: number): TCaseAction[] =>
    pending.all(limit).map((row) => {
      setInFlight.run(row.mutation_id)
      return toWireAction(queued(row))
    }),
  )

  const toConflict = (row: { kind: CaseConflict['kind']; held_by_json: string | null; message: string; at: number } | undefined): CaseConflict | null =>
    row === undefined ? null : { kind: row.kind, heldBy: parsePerson(row.held_by_json), message: row.message, at: row.at }

  return {
    record,
    takeForPush,
    releaseInFlight: () => {
      db.exec('UPDATE case_outbox SET in_flight = 0 WHERE in_flight = 1')
    },
    markOutcomes,
    storeCase: writeTransaction(db, (row) => {
      upsertCase.run(toCaseRecord(row))
      reapply(row.id)
    }),
    reapplyPending: (caseIds) => {
      for (const id of caseIds) reapply(id)
    },
    isPending: (mutationId) => rowById.get(mutationId) !== undefined,
    pendingTimeline: (caseId) =>
      rowsOfCase.all(caseId).map((row) => {
        const previous = row.previous_json === null ? null : (JSON.parse(row.previous_json) as Previous)
        const before = previous?.record
        return pendingTimelineEntry(queued(row), {
          assignee: before?.assignee_id == null ? null : { id: before.assignee_id, name: before.assignee_name ?? before.assignee_id },
          status: before?.status ?? 'OPEN',
          openAlerts: Object.keys(previous?.alerts ?? {}).length,
        })
      }),
    conflictOn: (caseId) => toConflict(conflictRow.get(caseId)),
    conflictFor: (mutationId) => toConflict(conflictByMutation.get(mutationId)),
    count: () => countAll.get() as number,
  }
}
