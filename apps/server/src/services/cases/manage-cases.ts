import { AppError, caseDueAt, isCaseOpen, severityRank, type CaseEntityType, type Severity, type TCaseRow } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import { sqlOfPrismaTransaction } from '../../db/sql.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { lockFeatureStates } from '../feature-state/feature-state-store.ts'
import type { CaseActor } from './case-actor.ts'
import { appendCaseEvent } from './case-events.ts'
import { lockCases } from './case-locks.ts'
import { OPEN_CASE_STATUS_SQL } from './case-sql.ts'
import { loadCaseSla } from './case-sla.ts'
import { readCase } from './case-store.ts'

/**
 * Opening, merging and splitting cases (online only: cases.open, cases.merge,
 * cases.split). Locks are taken in the order every case path keeps: alerts, then
 * feature states, then cases (by id), so these never deadlock with ingestion, decisions
 * or case actions. Every id is looked up with the caller's organisation in the same
 * statement that locks it: a case or alert of another organisation is "not found", so
 * nothing can move across tenants.
 */

interface LockedAlert {
  id: string
  caseId: string | null
  severity: Severity
  accountId: string
  merchantId: string
}

/** Locks the given alerts of the organisation (id order); an id it does not have is BAD_INPUT naming it. */
async function lockAlerts(tx: Prisma.TransactionClient, orgId: string, ids: readonly string[]): Promise<LockedAlert[]> {
  if (ids.length === 0) return []
  const unique = [...new Set(ids)]
  const rows = await tx.$queryRawUnsafe<LockedAlert[]>(
    `SELECT a."id", a."caseId", a."severity"::text AS "severity", t."accountId", t."merchantId"
     FROM "Anomaly" a JOIN "Transaction" t ON t."id" = a."transactionId"
     WHERE a."orgId" = $1 AND a."id" = ANY($2::text[]) ORDER BY a."id" FOR UPDATE OF a`,
    orgId,
    unique,
  )
  const found = new Set(rows.map((r) => r.id))
  const missing = unique.find((id) => !found.has(id))
  if (missing !== undefined) throw new AppError('BAD_INPUT', `anomalyIds: no anomaly with id ${missing}`, { field: 'anomalyIds' })
  return rows
}

const worst = (severities: Iterable<Severity>, floor: Severity | null = null): Severity | null => {
  let result = floor
  for (const s of severities) if (result === null || severityRank(s) > severityRank(result)) result = s
  return result
}

const actorLine = (actor: CaseActor, caseId: string, at: Date) => ({ orgId: actor.orgId, caseId, actorId: actor.userId, actorName: actor.name, at })
const auditActor = (actor: CaseActor) => ({ orgId: actor.orgId, actor: actor.actor, userId: actor.userId, ip: actor.ip, userAgent: actor.userAgent })

/** Moves alerts to a case, bumping their updatedAt (the anomaly pull carries caseId). */
async function moveAlerts(tx: Prisma.TransactionClient, orgId: string, ids: readonly string[], caseId: string): Promise<void> {
  if (ids.length > 0) await tx.anomaly.updateMany({ where: { orgId, id: { in: [...ids] } }, data: { caseId } })
}

/** Records on each case the alerts left for `to` (a `split` line, {to, anomalyIds}). */
async function recordAlertsLeft(tx: Prisma.TransactionClient, actor: CaseActor, alerts: readonly LockedAlert[], to: string, at: Date): Promise<void> {
  const bySource = new Map<string, string[]>()
  for (const a of alerts) if (a.caseId !== null && a.caseId !== to) bySource.set(a.caseId, [...(bySource.get(a.caseId) ?? []), a.id])
  for (const [source, anomalyIds] of [...bySource].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await appendCaseEvent(tx, { ...actorLine(actor, source, at), kind: 'split', data: { to, anomalyIds } })
  }
}

/**
 * Opens a case by hand for an account or a merchant, moving the given alerts into it
 * (from whatever case held them). Refused (CONFLICT, naming the case) when the entity
 * already has an open case. The entity's feature-state row is locked first, as
 * ingestion locks it, so a batch and this never both find "no open case".
 */
export async function openCase(db: Db, actor: CaseActor, input: { entityType: CaseEntityType; entityId: string; anomalyIds: string[] }): Promise<TCaseRow> {
  const now = new Date()
  return db.$transaction(async (tx) => {
    const { orgId } = actor
    const alerts = await lockAlerts(tx, orgId, input.anomalyIds)
    const stranger = alerts.find((a) => (input.entityType === 'ACCOUNT' ? a.accountId : a.merchantId) !== input.entityId)
    if (stranger) {
      const what = input.entityType === 'ACCOUNT' ? 'account' : 'merchant'
      throw new AppError('BAD_INPUT', `anomalyIds: anomaly ${stranger.id} is not of ${what} ${input.entityId}`, { field: 'anomalyIds' })
    }
    await lockFeatureStates(
      sqlOfPrismaTransaction(tx),
      orgId,
      input.entityType === 'ACCOUNT' ? [input.entityId] : [],
      input.entityType === 'MERCHANT' ? [input.entityId] : [],
    )
    const open = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT "id" FROM "Case" WHERE "orgId" = $1 AND "entityType" = $2::"CaseEntityType" AND "entityId" = $3
         AND "status"::text IN ${OPEN_CASE_STATUS_SQL} AND "mergedIntoId" IS NULL ORDER BY "id" LIMIT 1`,
      orgId,
      input.entityType,
      input.entityId,
    )
    if (open[0]) {
      const what = input.entityType === 'ACCOUNT' ? 'Account' : 'Merchant'
      throw new AppError('CONFLICT', `${what} ${input.entityId} already has an open case: ${open[0].id}`, { field: 'entityId', caseId: open[0].id })
    }
    // The cases the alerts leave, locked (id order) before they change.
    await lockCases(
      tx,
      orgId,
      alerts.flatMap((a) => (a.caseId === null ? [] : [a.caseId])),
    )
    const priority = worst(alerts.map((a) => a.severity)) ?? 'LOW'
    const sla = await loadCaseSla(tx, orgId)
    const created = await tx.case.create({
      data: {
        orgId,
        entityType: input.entityType,
        entityId: input.entityId,
        priority,
        dueAt: new Date(caseDueAt(now.getTime(), priority, sla)),
        openedById: actor.userId,
        createdAt: now,
      },
      select: { id: true },
    })
    await recordAlertsLeft(tx, actor, alerts, created.id, now)
    await moveAlerts(
      tx,
      orgId,
      alerts.map((a) => a.id),
      created.id,
    )
    await appendCaseEvent(tx, {
      ...actorLine(actor, created.id, now),
      kind: 'opened',
      data: { entityType: input.entityType, entityId: input.entityId, by: 'analyst' },
    })
    if (alerts.length > 0) {
      const anomalyIds = alerts.map((a) => a.id)
      await appendCaseEvent(tx, { ...actorLine(actor, created.id, now), kind: 'alerts_added', data: { anomalyIds, count: anomalyIds.length } })
    }
    await recordAudit(tx, auditActor(actor), {
      action: 'case.open',
      entityType: 'Case',
      entityId: created.id,
      newData: { entityType: input.entityType, entityId: input.entityId, anomalyIds: alerts.map((a) => a.id) },
    })
    return mustRead(tx, orgId, created.id)
  })
}

/**
 * Merges cases into `intoId`: their alerts move there; each merged case keeps its
 * timeline, gets mergedIntoId and a `merged` line ({into}), and leaves every queue; the
 * case that receives gets a `merged` line ({from}), the worst priority and the earliest
 * due time among them. All ids are looked up with the caller's organisation in one
 * locking statement: an id of another organisation is "not found".
 */
export async function mergeCases(db: Db, actor: CaseActor, input: { intoId: string; fromIds: string[] }): Promise<TCaseRow> {
  const fromIds = [...new Set(input.fromIds)]
  if (fromIds.includes(input.intoId)) throw new AppError('BAD_INPUT', `fromIds: case ${input.intoId} cannot be merged into itself`, { field: 'fromIds' })
  const now = new Date()
  return db.$transaction(async (tx) => {
    const { orgId } = actor
    // Alerts first (the lock order), then every case in one statement scoped by orgId.
    await tx.$queryRawUnsafe(`SELECT "id" FROM "Anomaly" WHERE "orgId" = $1 AND "caseId" = ANY($2::text[]) ORDER BY "id" FOR UPDATE`, orgId, fromIds)
    const cases = await lockCases(tx, orgId, [input.intoId, ...fromIds])
    const into = cases.get(input.intoId)
    if (!into) throw new AppError('NOT_FOUND', `intoId: no case with id ${input.intoId}`, { field: 'intoId' })
    const missing = fromIds.find((id) => !cases.has(id))
    if (missing !== undefined) throw new AppError('NOT_FOUND', `fromIds: no case with id ${missing}`, { field: 'fromIds' })
    if (into.mergedIntoId !== null) throw new AppError('BAD_INPUT', `intoId: case ${into.id} was merged into ${into.mergedIntoId}`, { field: 'intoId' })
    if (!isCaseOpen(into.status)) throw new AppError('BAD_INPUT', `intoId: case ${into.id} is closed: reopen it before merging into it`, { field: 'intoId' })
    const merged = fromIds.map((id) => cases.get(id)!)
    const already = merged.find((c) => c.mergedIntoId !== null)
    if (already) throw new AppError('BAD_INPUT', `fromIds: case ${already.id} was already merged into ${already.mergedIntoId}`, { field: 'fromIds' })

    const rows = await tx.case.findMany({ where: { orgId, id: { in: [input.intoId, ...fromIds] } }, select: { id: true, priority: true, dueAt: true } })
    const priority = worst(
      rows.map((r) => r.priority),
      null,
    )!
    const dues = rows.flatMap((r) => (r.dueAt === null ? [] : [r.dueAt.getTime()]))
    await tx.anomaly.updateMany({ where: { orgId, caseId: { in: fromIds } }, data: { caseId: into.id } })
    await tx.case.updateMany({ where: { orgId, id: { in: fromIds } }, data: { mergedIntoId: into.id } })
    await tx.case.update({ where: { id: into.id }, data: { priority, ...(dues.length > 0 ? { dueAt: new Date(Math.min(...dues)) } : {}) } })
    for (const from of merged) await appendCaseEvent(tx, { ...actorLine(actor, from.id, now), kind: 'merged', data: { into: into.id } })
    await appendCaseEvent(tx, { ...actorLine(actor, into.id, now), kind: 'merged', data: { from: fromIds } })
    await recordAudit(tx, auditActor(actor), { action: 'case.merge', entityType: 'Case', entityId: into.id, newData: { from: fromIds } })
    return mustRead(tx, orgId, into.id)
  })
}

/**
 * Moves some alerts of a case into a new case of the same entity (`opened` {by: 'split'}
 * and `split` {from} on it, `split` {to} on the source). Returns the new case.
 */
export async function splitCase(db: Db, actor: CaseActor, input: { caseId: string; anomalyIds: string[] }): Promise<TCaseRow> {
  const now = new Date()
  return db.$transaction(async (tx) => {
    const { orgId } = actor
    // A case the organisation does not have is NOT_FOUND before any alert is looked at.
    const notFound = () => new AppError('NOT_FOUND', `caseId: no case with id ${input.caseId}`, { field: 'caseId' })
    if ((await tx.case.count({ where: { orgId, id: input.caseId } })) === 0) throw notFound()
    const alerts = await lockAlerts(tx, orgId, input.anomalyIds)
    const source = (await lockCases(tx, orgId, [input.caseId])).get(input.caseId)
    if (!source) throw notFound()
    if (source.mergedIntoId !== null) throw new AppError('BAD_INPUT', `caseId: case ${source.id} was merged into ${source.mergedIntoId}`, { field: 'caseId' })
    const stranger = alerts.find((a) => a.caseId !== source.id)
    if (stranger) throw new AppError('BAD_INPUT', `anomalyIds: anomaly ${stranger.id} is not in case ${source.id}`, { field: 'anomalyIds' })
    const remaining = await tx.anomaly.count({ where: { orgId, caseId: source.id } })
    if (remaining <= alerts.length) throw new AppError('BAD_INPUT', 'anomalyIds: a split must leave at least one alert in the case', { field: 'anomalyIds' })

    const priority = worst(alerts.map((a) => a.severity))!
    const sla = await loadCaseSla(tx, orgId)
    const entityType = source.entityType as CaseEntityType
    const created = await tx.case.create({
      data: {
        orgId,
        entityType,
        entityId: source.entityId,
        priority,
        dueAt: new Date(caseDueAt(now.getTime(), priority, sla)),
        openedById: actor.userId,
        createdAt: now,
      },
      select: { id: true },
    })
    // In the order the analyst listed them (the locks went in id order).
    const anomalyIds = [...new Set(input.anomalyIds)]
    await moveAlerts(tx, orgId, anomalyIds, created.id)
    await appendCaseEvent(tx, { ...actorLine(actor, source.id, now), kind: 'split', data: { to: created.id, anomalyIds } })
    await appendCaseEvent(tx, { ...actorLine(actor, created.id, now), kind: 'opened', data: { entityType, entityId: source.entityId, by: 'split' } })
    await appendCaseEvent(tx, { ...actorLine(actor, created.id, now), kind: 'split', data: { from: source.id, anomalyIds } })
    await recordAudit(tx, auditActor(actor), { action: 'case.split', entityType: 'Case', entityId: source.id, newData: { to: created.id, anomalyIds } })
    return mustRead(tx, orgId, created.id)
  })
}

async function mustRead(tx: Prisma.TransactionClient, orgId: string, id: string): Promise<TCaseRow> {
  const row = await readCase(sqlOfPrismaTransaction(tx), orgId, id)
  if (row === null) throw new Error(`case ${id} vanished inside its own transaction`)
  return row
}
