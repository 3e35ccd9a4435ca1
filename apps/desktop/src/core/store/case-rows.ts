import { isCaseOpen, severityRank, slaState, type CaseEventKind, type TCaseEvent, type TCasePerson, type TCaseRow } from '@anomalyze/shared'
import type { CaseListRow } from '../../contract/cases.ts'

/** One row of the cases table, as better-sqlite3 returns it. */
export interface CaseRecord {
  id: string
  entity_type: TCaseRow['entityType']
  entity_id: string
  status: TCaseRow['status']
  is_open: number
  priority: TCaseRow['priority']
  priority_rank: number
  assignee_id: string | null
  assignee_name: string | null
  due_at: number | null
  sla_minutes: number | null
  breached_at: number | null
  merged_into_id: string | null
  alert_count: number
  open_alert_count: number
  opened_by_json: string | null
  closed_at: number | null
  closed_by_json: string | null
  created_at: number
  updated_at: number
}

export interface CaseEventRecord {
  id: string
  case_id: string
  kind: CaseEventKind
  actor_json: string | null
  actor_name: string
  at: number
  data_json: string | null
  mutation_id: string | null
}

/** Flattens a server case into table columns (the derived is_open and priority_rank included). */
export function toCaseRecord(row: TCaseRow): CaseRecord {
  return {
    id: row.id,
    entity_type: row.entityType,
    entity_id: row.entityId,
    status: row.status,
    // A merged case leaves every queue: it counts as not open here, whatever its status.
    is_open: isCaseOpen(row.status) && row.mergedIntoId === null ? 1 : 0,
    priority: row.priority,
    priority_rank: severityRank(row.priority),
    assignee_id: row.assignee?.id ?? null,
    assignee_name: row.assignee?.name ?? null,
    due_at: row.dueAt,
    sla_minutes: row.slaMinutes,
    breached_at: row.breachedAt,
    merged_into_id: row.mergedIntoId,
    alert_count: row.alertCount,
    open_alert_count: row.openAlertCount,
    opened_by_json: personJson(row.openedBy),
    closed_at: row.closedAt,
    closed_by_json: personJson(row.closedBy),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  }
}

export function toCaseRow(record: CaseRecord): TCaseRow {
  return {
    id: record.id,
    entityType: record.entity_type,
    entityId: record.entity_id,
    status: record.status,
    priority: record.priority,
    assignee: record.assignee_id === null ? null : { id: record.assignee_id, name: record.assignee_name ?? record.assignee_id },
    dueAt: record.due_at,
    slaMinutes: record.sla_minutes,
    breachedAt: record.breached_at,
    mergedIntoId: record.merged_into_id,
    alertCount: record.alert_count,
    openAlertCount: record.open_alert_count,
    openedBy: parsePerson(record.opened_by_json),
    closedAt: record.closed_at,
    closedBy: parsePerson(record.closed_by_json),
    createdAt: record.created_at,
    updatedAt: record.updated_at,
  }
}

/** A queue line: the row with its SLA state at `now` and whether an action of this analyst waits in the outbox. */
export function toCaseListRow(record: CaseRecord, pending: boolean, now: number): CaseListRow {
  const { slaMinutes, ...row } = toCaseRow(record)
  return { ...row, sla: slaState(row.dueAt, isCaseOpen(row.status), now, slaMinutes ?? undefined), pending }
}

export function toCaseEventRecord(event: TCaseEvent): CaseEventRecord {
  return {
    id: event.id,
    case_id: event.caseId,
    kind: event.kind,
    actor_json: personJson(event.actor),
    actor_name: event.actorName,
    at: event.at,
    data_json: event.data === null ? null : JSON.stringify(event.data),
    mutation_id: event.mutationId,
  }
}

export function toCaseEvent(record: CaseEventRecord): TCaseEvent {
  return {
    id: record.id,
    caseId: record.case_id,
    kind: record.kind,
    actor: parsePerson(record.actor_json),
    actorName: record.actor_name,
    at: record.at,
    data: record.data_json === null ? null : (JSON.parse(record.data_json) as Record<string, unknown>),
    mutationId: record.mutation_id,
  }
}

const CASE_COLUMNS = Object.keys(
  toCaseRecord({
    id: '',
    entityType: 'ACCOUNT',
    entityId: '',
    status: 'OPEN',
    priority: 'LOW',
    assignee: null,
    dueAt: null,
    slaMinutes: null,
    breachedAt: null,
    mergedIntoId: null,
    alertCount: 0,
    openAlertCount: 0,
    openedBy: null,
    closedAt: null,
    closedBy: null,
    createdAt: 0,
    updatedAt: 0,
  }),
) as Array<keyof CaseRecord>

/** Insert or replace a case by id (the columns listed from toCaseRecord, so SQL and mapping cannot drift). */
export const UPSERT_CASE_SQL = `
  INSERT INTO cases (${CASE_COLUMNS.join(', ')}) VALUES (${CASE_COLUMNS.map((c) => `@${c}`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${CASE_COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`

export const INSERT_CASE_EVENT_SQL = `
  INSERT OR REPLACE INTO case_events (id, case_id, kind, actor_json, actor_name, at, data_json, mutation_id)
  VALUES (@id, @case_id, @kind, @actor_json, @actor_name, @at, @data_json, @mutation_id)`

export const CASE_SELECT = CASE_COLUMNS.join(', ')

function personJson(person: TCasePerson | null): string | null {
  return person === null ? null : JSON.stringify({ id: person.id, name: person.name })
}

export function parsePerson(json: string | null): TCasePerson | null {
  if (json === null) return null
  const value = JSON.parse(json) as Partial<TCasePerson> | null
  return typeof value?.id === 'string' ? { id: value.id, name: typeof value.name === 'string' ? value.name : value.id } : null
}
