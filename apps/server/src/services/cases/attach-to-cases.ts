import { caseDueAt, DEFAULT_CASE_SLA_MINUTES, SEVERITIES, severityRank, type CaseSla, type Severity } from '@anomalyze/shared'
import { jsonbLiteral, sqlLiteral } from '../../db/sql.ts'
import { msOf, OPEN_CASE_STATUS_SQL, timestampOfMs } from './case-sql.ts'

/**
 * Ingestion's part in cases: every new anomaly joins the open case of its merchant when
 * an analyst opened one, else the open case of its account, else a new ACCOUNT case.
 *
 * Why no unique index keeps an entity to one open case: ingestion locks the feature
 * state rows of every account and merchant of a batch (feature-state-store.ts) before
 * it reads their open cases, and holds the locks until it commits; a case opened by
 * hand locks its entity's state row the same way (manage-cases.ts). So two batches of
 * one account, or a batch and an analyst, look for the account's open case one after
 * the other, and the second sees the case the first opened. (A split deliberately
 * leaves two open cases of one entity; new alerts then join the older one.)
 *
 * The case rows found are locked too (FOR UPDATE, in id order like every path that
 * locks several cases), so an analyst cannot close a case between the moment a batch
 * finds it open and the moment its alerts join it.
 *
 * Everything here is set-based: the opening statements (sent with the state locks, no
 * extra round trip) read the cases, the organisation's round-robin flag and its SLA;
 * the plan is computed in memory; the closing statement's CTEs write it.
 */

/** Kinds of the extra opening rows (StateRow.kind): an open case, the round-robin flag, an SLA row. */
export const CASE_ROW_KIND = 'c'
export const ROUND_ROBIN_ROW_KIND = 'o'
export const SLA_ROW_KIND = 's'

/**
 * Statements for the ingest opening (after the feature-state locks): the open cases of
 * the batch's accounts and merchants, locked; the round-robin flag; the SLA rows.
 * `org`, `accounts`, `merchants` are SQL literals (text, text[], text[]).
 */
export function caseOpeningStatements(org: string, accounts: string, merchants: string): string[] {
  return [
    `SELECT '${CASE_ROW_KIND}' AS kind, c."entityType"::text || ':' || c."entityId" AS key,
       jsonb_build_object('id', c."id", 'priority', c."priority", 'dueAt', ${msOf('c."dueAt"')}, 'createdAt', ${msOf('c."createdAt"')}) AS state
     FROM "Case" c
     WHERE c."orgId" = ${org} AND c."status"::text IN ${OPEN_CASE_STATUS_SQL} AND c."mergedIntoId" IS NULL
       AND ((c."entityType" = 'ACCOUNT' AND c."entityId" = ANY(${accounts})) OR (c."entityType" = 'MERCHANT' AND c."entityId" = ANY(${merchants})))
     ORDER BY c."id" FOR UPDATE OF c`,
    `SELECT '${ROUND_ROBIN_ROW_KIND}' AS kind, 'caseRoundRobin' AS key, to_jsonb(o."caseRoundRobin") AS state FROM "Organization" o WHERE o."id" = ${org}`,
    `SELECT '${SLA_ROW_KIND}' AS kind, s."severity"::text AS key, to_jsonb(s."minutes") AS state FROM "CaseSla" s WHERE s."orgId" = ${org}`,
  ]
}

export interface OpenCaseSeen {
  id: string
  priority: Severity
  dueAt: number | null
  createdAt: number
}

export interface CaseContext {
  /** Open cases by "ACCOUNT:<id>" / "MERCHANT:<id>": the oldest when an entity has several. */
  openCases: Map<string, OpenCaseSeen>
  roundRobin: boolean
  sla: CaseSla
}

/** Reads the rows caseOpeningStatements returned (mixed with other kinds, which are ignored). */
export function readCaseContext(rows: Iterable<{ kind: string; key: string; state: unknown }>): CaseContext {
  const openCases = new Map<string, OpenCaseSeen>()
  const sla: CaseSla = { ...DEFAULT_CASE_SLA_MINUTES }
  let roundRobin = false
  for (const row of rows) {
    if (row.kind === CASE_ROW_KIND) {
      const seen = row.state as OpenCaseSeen
      const held = openCases.get(row.key)
      if (!held || seen.createdAt < held.createdAt || (seen.createdAt === held.createdAt && seen.id < held.id)) openCases.set(row.key, seen)
    } else if (row.kind === ROUND_ROBIN_ROW_KIND) {
      roundRobin = row.state === true
    } else if (row.kind === SLA_ROW_KIND && (SEVERITIES as readonly string[]).includes(row.key) && typeof row.state === 'number') {
      sla[row.key as Severity] = row.state
    }
  }
  return { openCases, roundRobin, sla }
}

export interface AlertToFile {
  anomalyId: string
  accountId: string
  merchantId: string
  severity: Severity
}

export interface CasePlan {
  /** The case each new anomaly joins. */
  caseOf: Map<string, string>
  opened: { id: string; entityId: string; priority: Severity; dueAt: number }[]
  /** Existing cases that took alerts: their priority and due time after (never lower, never later). */
  grown: { id: string; priority: Severity; dueAt: number }[]
  events: { caseId: string; kind: 'opened' | 'alerts_added'; data: Record<string, unknown> }[]
}

const worse = (a: Severity, b: Severity): Severity => (severityRank(a) >= severityRank(b) ? a : b)

/** Pure: where each alert goes, what opens, what grows, and the timeline lines (one alerts_added per case). */
export function planCases(alerts: readonly AlertToFile[], context: CaseContext, now: number, newId: () => string = () => crypto.randomUUID()): CasePlan {
  const caseOf = new Map<string, string>()
  const members = new Map<string, { existing: OpenCaseSeen | null; entityId: string; anomalyIds: string[]; priority: Severity | null }>()
  const newCaseOfAccount = new Map<string, string>()
  for (const alert of alerts) {
    const existing = context.openCases.get(`MERCHANT:${alert.merchantId}`) ?? context.openCases.get(`ACCOUNT:${alert.accountId}`) ?? null
    let caseId = existing?.id ?? newCaseOfAccount.get(alert.accountId)
    if (caseId === undefined) {
      caseId = newId()
      newCaseOfAccount.set(alert.accountId, caseId)
    }
    const entry = members.get(caseId) ?? { existing, entityId: alert.accountId, anomalyIds: [], priority: existing?.priority ?? null }
    entry.anomalyIds.push(alert.anomalyId)
    entry.priority = entry.priority === null ? alert.severity : worse(entry.priority, alert.severity)
    members.set(caseId, entry)
    caseOf.set(alert.anomalyId, caseId)
  }
  const plan: CasePlan = { caseOf, opened: [], grown: [], events: [] }
  for (const [caseId, entry] of members) {
    const priority = entry.priority as Severity
    if (entry.existing === null) {
      plan.opened.push({ id: caseId, entityId: entry.entityId, priority, dueAt: caseDueAt(now, priority, context.sla) })
      plan.events.push({ caseId, kind: 'opened', data: { entityType: 'ACCOUNT', entityId: entry.entityId, by: 'ingestion' } })
    } else {
      const due = caseDueAt(entry.existing.createdAt, priority, context.sla)
      plan.grown.push({ id: caseId, priority, dueAt: entry.existing.dueAt === null ? due : Math.min(entry.existing.dueAt, due) })
    }
    plan.events.push({ caseId, kind: 'alerts_added', data: { anomalyIds: entry.anomalyIds, count: entry.anomalyIds.length } })
  }
  return plan
}

/**
 * CTEs writing the plan (part of ingestion's closing statement, next to the anomalies,
 * which carry their caseId: foreign keys are checked at the end of the statement, after
 * the cases are in). `now` is the batch's time: cases' createdAt and the events' `at`.
 */
export function casePlanCtes(orgId: string, plan: CasePlan, now: number): string[] {
  const org = sqlLiteral(orgId)
  const at = timestampOfMs(String(now))
  const ctes: string[] = []
  if (plan.opened.length > 0) {
    ctes.push(`cases_opened AS (
      INSERT INTO "Case" ("id", "orgId", "entityType", "entityId", "status", "priority", "dueAt", "createdAt", "updatedAt")
      SELECT r.id, ${org}, 'ACCOUNT', r."entityId", 'OPEN', r.priority::"Severity", ${timestampOfMs('r."dueAt"')}, ${at}, now()
      FROM jsonb_to_recordset(${jsonbLiteral(plan.opened)}) AS r(id text, "entityId" text, priority text, "dueAt" float8)
      RETURNING 1
    )`)
  }
  if (plan.grown.length > 0) {
    ctes.push(`cases_grown AS (
      UPDATE "Case" c SET "priority" = r.priority::"Severity", "dueAt" = ${timestampOfMs('r."dueAt"')}, "updatedAt" = now()
      FROM jsonb_to_recordset(${jsonbLiteral(plan.grown)}) AS r(id text, priority text, "dueAt" float8)
      WHERE c."id" = r.id AND c."orgId" = ${org}
      RETURNING 1
    )`)
  }
  if (plan.events.length > 0) {
    ctes.push(`case_events AS (
      INSERT INTO "CaseEvent" ("id", "orgId", "caseId", "kind", "actorId", "actorName", "at", "data")
      SELECT gen_random_uuid()::text, ${org}, r."caseId", r.kind, NULL, 'Anomalyze', ${at}, r.data
      FROM jsonb_to_recordset(${jsonbLiteral(plan.events)}) AS r("caseId" text, kind text, data jsonb)
      RETURNING 1
    )`)
  }
  return ctes
}
