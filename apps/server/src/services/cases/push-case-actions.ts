import { clampToNow, labelForClosing, type TCaseAction, type TCasePushOutput, type TCasePushResult } from '@anomalyze/shared'
import type { FeatureConfig } from '@anomalyze/shared/engine'
import type { Db, Prisma } from '../../db/prisma.ts'
import { sqlOfPrismaTransaction } from '../../db/sql.ts'
import type { JobQueue } from '../../jobs/job-queue.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { lockFeatureStates } from '../feature-state/feature-state-store.ts'
import type { ModelRegistry } from '../models/model-registry.ts'
import { applyDecisionInTransaction } from '../sync/push-decisions.ts'
import { noticeAssigned } from './assignment-notices.ts'
import type { CaseActor } from './case-actor.ts'
import { appendCaseEvent } from './case-events.ts'
import { lockCases } from './case-locks.ts'
import { personName } from './case-person.ts'
import { judgeAction, type AssigneeStanding, type CaseChange } from './case-rules.ts'
import { UNDECIDED_ANOMALY_SQL } from './case-sql.ts'
import { readCase } from './case-store.ts'
import { sqlOfDb } from './read-cases.ts'
import { isRetryableConflict, isUniqueViolation } from './db-errors.ts'

export interface CaseActionDeps {
  models: ModelRegistry
  /** Where `assigned` notices go (none without it). */
  jobs?: JobQueue | undefined
  log?: { error: (object: unknown, message?: string) => void } | undefined
}

/**
 * Applies case actions from a console outbox (cases.push), in the order received, each
 * in its own transaction with the case row locked: the first of two analysts' claims
 * (or closes) stands, the second is answered `conflict` with who holds (closed) the
 * case, and its refusal stays in the timeline. Each action is stored once: its
 * mutationId is unique per organisation among timeline lines, so a retried push answers
 * `duplicate`. Times are the analyst's, never later than the push arrived (clampToNow).
 * Rules: case-rules.ts.
 */
export async function pushCaseActions(db: Db, deps: CaseActionDeps, actor: CaseActor, actions: readonly TCaseAction[]): Promise<TCasePushOutput> {
  const receivedAt = Date.now()
  // Closing decides alerts with the active model's feature config: resolved before any
  // row is locked, and only when a close is among the actions.
  const config = actions.some((a) => a.kind === 'close') ? (await deps.models.activeFor(db, actor.orgId)).loaded.model.featureConfig : null
  const results: TCasePushResult[] = []
  for (const action of actions) {
    const { result, notice } = await applyWithRetry(db, actor, action, config, receivedAt)
    results.push(result)
    if (notice) await noticeAssigned(deps.jobs, { orgId: actor.orgId, caseId: action.caseId, assigneeId: notice, byName: actor.name }, deps.log)
  }
  return { results }
}

interface Applied {
  result: TCasePushResult
  /** Set when the case went to someone other than the actor: tell them. */
  notice: string | null
}

/** Two pushes of one mutation racing: the loser's insert hits the unique index and it answers `duplicate`. A deadlock is retried. */
async function applyWithRetry(db: Db, actor: CaseActor, action: TCaseAction, config: FeatureConfig | null, receivedAt: number): Promise<Applied> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.$transaction((tx) => applyCaseAction(tx, actor, action, config, receivedAt), { timeout: 30_000 })
    } catch (error) {
      if (isUniqueViolation(error)) {
        const current = await readCase(sqlOfDb(db), actor.orgId, action.caseId)
        return { result: { mutationId: action.mutationId, outcome: 'duplicate', case: current }, notice: null }
      }
      if (attempt < 3 && isRetryableConflict(error)) continue
      throw error
    }
  }
}

async function applyCaseAction(
  tx: Prisma.TransactionClient,
  actor: CaseActor,
  action: TCaseAction,
  config: FeatureConfig | null,
  receivedAt: number,
): Promise<Applied> {
  const { orgId } = actor
  const sql = sqlOfPrismaTransaction(tx)
  const seen = await tx.caseEvent.findUnique({ where: { orgId_mutationId: { orgId, mutationId: action.mutationId } }, select: { id: true } })
  if (seen) return { result: { mutationId: action.mutationId, outcome: 'duplicate', case: await readCase(sql, orgId, action.caseId) }, notice: null }

  // Closing decides alerts: their rows, then their feature states, are locked before the
  // case, the order sync.push decisions and ingestion keep (push-decisions.ts).
  const undecided = action.kind === 'close' ? await lockUndecidedAlerts(tx, orgId, action.caseId) : []

  const state = (await lockCases(tx, orgId, [action.caseId])).get(action.caseId)
  if (!state) return { result: { mutationId: action.mutationId, outcome: 'rejected', reason: `No case with id ${action.caseId}`, case: null }, notice: null }
  const assignee = action.kind === 'assign' ? await standingOf(tx, orgId, action.assigneeId) : undefined
  const verdict = judgeAction(state, { userId: actor.userId, name: actor.name, isAdmin: actor.role === 'ADMIN' }, action, assignee)
  const at = new Date(clampToNow(action.at, receivedAt))
  const line = { orgId, caseId: state.id, actorId: actor.userId, actorName: actor.name, at, mutationId: action.mutationId }

  if (verdict.outcome === 'rejected') {
    return { result: { mutationId: action.mutationId, outcome: 'rejected', reason: verdict.reason, case: await readCase(sql, orgId, state.id) }, notice: null }
  }
  if (verdict.outcome === 'conflict') {
    // Kept in the timeline, never dropped: who tried, when, and (a close) what they meant to decide.
    if (verdict.refusal) await appendCaseEvent(tx, { ...line, kind: verdict.refusal.kind, data: verdict.refusal.data as Prisma.InputJsonValue })
    return {
      result: {
        mutationId: action.mutationId,
        outcome: 'conflict',
        reason: verdict.reason,
        heldBy: verdict.heldBy,
        case: await readCase(sql, orgId, state.id),
      },
      notice: null,
    }
  }
  let notice: string | null = null
  if (verdict.change !== null) {
    const change = verdict.change
    const newData = await applyChange(tx, actor, line, change, { undecided, config, receivedAt, actionMutationId: action.mutationId })
    await recordAudit(
      tx,
      { orgId, actor: actor.actor, userId: actor.userId, ip: actor.ip, userAgent: actor.userAgent },
      {
        action: `case.${action.kind}`,
        entityType: 'Case',
        entityId: state.id,
        oldData: { status: state.status, assigneeId: state.assignee?.id ?? null },
        newData: { ...newData, mutationId: action.mutationId },
      },
    )
    if (change.kind === 'assign' && change.assignee.id !== actor.userId) notice = change.assignee.id
  }
  return { result: { mutationId: action.mutationId, outcome: 'applied', case: await readCase(sql, orgId, state.id) }, notice }
}

interface ChangeContext {
  undecided: string[]
  config: FeatureConfig | null
  receivedAt: number
  actionMutationId: string
}

/** Writes one change and its timeline line; returns what the audit row records. */
async function applyChange(
  tx: Prisma.TransactionClient,
  actor: CaseActor,
  line: { orgId: string; caseId: string; actorId: string | null; actorName: string; at: Date; mutationId: string },
  change: CaseChange,
  context: ChangeContext,
): Promise<Record<string, Prisma.InputJsonValue | null>> {
  const where = { id: line.caseId }
  switch (change.kind) {
    case 'assign':
      await tx.case.update({ where, data: { assigneeId: change.assignee.id } })
      await appendCaseEvent(tx, { ...line, kind: 'assigned', data: { assignee: change.assignee, previous: change.previous, how: change.how } })
      return { assigneeId: change.assignee.id }
    case 'unassign':
      await tx.case.update({ where, data: { assigneeId: null } })
      await appendCaseEvent(tx, { ...line, kind: 'unassigned', data: { previous: change.previous } })
      return { assigneeId: null }
    case 'status':
      await tx.case.update({ where, data: change.reopen ? { status: change.to, closedAt: null, closedById: null } : { status: change.to } })
      await appendCaseEvent(tx, { ...line, kind: change.reopen ? 'reopened' : 'status', data: { from: change.from, to: change.to } })
      return { status: change.to }
    case 'comment':
      await appendCaseEvent(tx, { ...line, kind: 'comment', data: { text: change.text } })
      return { comment: change.text }
    case 'close': {
      const label = labelForClosing(change.status)
      let decidedCount = 0
      for (const anomalyId of context.undecided) {
        // The same path as a decision from sync.push: history, feature-state feedback, audit.
        const decided = await applyDecisionInTransaction(
          tx,
          { orgId: actor.orgId, actor: actor.actor, userId: actor.userId, name: actor.name, ip: actor.ip, userAgent: actor.userAgent },
          { mutationId: `${context.actionMutationId}:${anomalyId}`, anomalyId, label, note: change.note ?? undefined, decidedAt: line.at.getTime() },
          context.config as FeatureConfig,
          context.receivedAt,
          { fromCaseClose: true },
        )
        if (decided.outcome === 'applied') decidedCount += 1
      }
      await tx.case.update({ where, data: { status: change.status, closedAt: line.at, closedById: actor.userId } })
      await appendCaseEvent(tx, { ...line, kind: 'closed', data: { status: change.status, note: change.note, decidedCount } })
      return { status: change.status, decidedCount }
    }
  }
}

/**
 * Locks the case's undecided alerts (in id order) and then the feature states of their
 * accounts and merchants (one call: the global order ingestion locks them in), before
 * the case row. Returns the alert ids.
 */
async function lockUndecidedAlerts(tx: Prisma.TransactionClient, orgId: string, caseId: string): Promise<string[]> {
  const rows = await tx.$queryRawUnsafe<{ id: string; accountId: string; merchantId: string }[]>(
    `SELECT a."id", t."accountId", t."merchantId" FROM "Anomaly" a JOIN "Transaction" t ON t."id" = a."transactionId"
     WHERE a."orgId" = $1 AND a."caseId" = $2 AND a."status"::text IN ${UNDECIDED_ANOMALY_SQL}
     ORDER BY a."id" FOR UPDATE OF a`,
    orgId,
    caseId,
  )
  if (rows.length > 0)
    await lockFeatureStates(
      sqlOfPrismaTransaction(tx),
      orgId,
      rows.map((r) => r.accountId),
      rows.map((r) => r.merchantId),
    )
  return rows.map((r) => r.id)
}

/** Whether the person an assign names is a member who may work cases. */
async function standingOf(tx: Prisma.TransactionClient, orgId: string, userId: string): Promise<AssigneeStanding> {
  const membership = await tx.membership.findUnique({
    where: { orgId_userId: { orgId, userId } },
    select: { role: true, removedAt: true, user: { select: { name: true, email: true } } },
  })
  if (!membership) return { kind: 'unknown', id: userId }
  const person = { id: userId, name: personName(userId, membership.user) }
  return membership.removedAt !== null ? { kind: 'removed', person } : { kind: 'member', person, role: membership.role }
}
