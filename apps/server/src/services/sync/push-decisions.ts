import { clampToNow, statusForLabel, type LabelKind, type TDecisionInput, type TPushOutput } from '@anomalyze/shared'
import { applyLabel, type FeatureConfig } from '@anomalyze/shared/engine'
import type { Db, Prisma } from '../../db/prisma.ts'
import { sqlOfPrismaTransaction } from '../../db/sql.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { appendCaseEvent } from '../cases/case-events.ts'
import type { ModelRegistry } from '../models/model-registry.ts'
import { lockFeatureStates, saveFeatureStates } from '../feature-state/feature-state-store.ts'

type PushResult = TPushOutput['results'][number]

export interface Decider {
  orgId: string
  /** The audit row's actor: the user id, or "apikey:<keyId>". */
  actor?: string | undefined
  /** The member deciding (null for an API key). */
  userId?: string | null | undefined
  /** Shown in the decision history. */
  name: string
  ip?: string | undefined
  userAgent?: string | undefined
}

/**
 * Applies analyst decisions from a desktop outbox. Each decision is stored once (its
 * client mutationId is unique within the organisation) and kept in the history. The
 * first decision stands: one made without seeing another person's decision in force
 * is kept as superseded and answered `conflict` with the standing decision; between
 * one person's own decisions the latest `decidedAt` wins. A decidedAt later than the
 * push's arrival is recorded as the arrival time, so a future-dated decision cannot
 * outrank the decisions made after it. See the conflict rule in
 * packages/shared/src/sync/contract.ts.
 */
export async function pushDecisions(
  db: Db,
  models: ModelRegistry,
  decider: Decider,
  decisions: TDecisionInput[],
  onApplied?: (appliedCount: number) => Promise<void>,
): Promise<TPushOutput> {
  const receivedAt = Date.now()
  const results: PushResult[] = []
  // Resolved before any row is locked: loading a model must not happen inside a transaction.
  const config = (await models.activeFor(db, decider.orgId)).loaded.model.featureConfig
  for (const decision of decisions) results.push(await applyDecision(db, decider, decision, config, receivedAt))
  const applied = results.filter((r) => r.outcome === 'applied').length
  // Hook for the feedback loop (automatic retraining after N new labels); it runs
  // after the decisions committed and never undoes them.
  if (onApplied && applied > 0) await onApplied(applied)
  return { results }
}

function applyDecision(db: Db, decider: Decider, decision: TDecisionInput, config: FeatureConfig, receivedAt: number): Promise<PushResult> {
  return db.$transaction((tx) => applyDecisionInTransaction(tx, decider, decision, config, receivedAt))
}

export interface DecisionOptions {
  /**
   * Closing a case decides its alerts (services/cases): the closer saw the case as it
   * stands, so each decision is based on the one in force (an undecided alert's
   * NEEDS_REVIEW by someone else does not make it a conflict), and the case gets one
   * `closed` line rather than a `decision` line per alert.
   */
  fromCaseClose?: boolean
}

/**
 * One decision inside the caller's transaction: the path every decision takes, from
 * sync.push or from closing a case. Locks the anomaly, then (when the label changes
 * what is known fraud) the feature states of its account and merchant, then its case:
 * the order every path that locks these keeps (ingestion: states, then cases), so
 * that none of them wait on each other in a circle.
 */
export async function applyDecisionInTransaction(
  tx: Prisma.TransactionClient,
  decider: Decider,
  decision: TDecisionInput,
  config: FeatureConfig,
  receivedAt: number,
  options: DecisionOptions = {},
): Promise<PushResult> {
  // Lock the anomaly so that concurrent decisions on it are decided one at a time.
  const locked = await tx.$queryRaw<{ id: string; status: string; caseId: string | null }[]>`
    SELECT id, status::text AS status, "caseId" FROM "Anomaly"
    WHERE id = ${decision.anomalyId} AND "orgId" = ${decider.orgId}
    FOR UPDATE`
  const anomaly = locked[0]
  if (!anomaly) {
    return { mutationId: decision.mutationId, outcome: 'rejected', status: null, reason: `No anomaly with id ${decision.anomalyId}` }
  }
  // mutationIds are the client's: unique per account, so another tenant's decision
  // with the same id is never taken for this one.
  const seen = await tx.anomalyLabel.findUnique({
    where: { orgId_mutationId: { orgId: decider.orgId, mutationId: decision.mutationId } },
    select: { id: true },
  })
  if (seen) {
    const current = await tx.anomaly.findUniqueOrThrow({ where: { id: anomaly.id }, select: { status: true } })
    return { mutationId: decision.mutationId, outcome: 'duplicate', status: current.status }
  }
  const decidedAt = new Date(clampToNow(decision.decidedAt, receivedAt))
  const standing = await tx.anomalyLabel.findFirst({
    where: { anomalyId: anomaly.id, supersededAt: null },
    orderBy: [{ decidedAt: 'desc' }, { mutationId: 'desc' }],
    select: { mutationId: true, label: true, note: true, decidedBy: true, decidedById: true, decidedAt: true },
  })
  const basedOn = options.fromCaseClose ? (standing?.mutationId ?? null) : decision.basedOn
  const outcome = standing === null ? 'applied' : outcomeAgainst(standing, decider, { ...decision, basedOn, decidedAt })
  await tx.anomalyLabel.create({
    data: {
      orgId: decider.orgId,
      anomalyId: anomaly.id,
      label: decision.label,
      note: decision.note ?? null,
      decidedBy: decider.name,
      decidedById: decider.userId ?? null,
      decidedAt,
      mutationId: decision.mutationId,
      // Kept in the history, not in force.
      supersededAt: outcome === 'applied' ? null : new Date(receivedAt),
    },
  })
  // The case's timeline shows every decision on its alerts, the ones not in force too (kept, never dropped).
  if (anomaly.caseId !== null && !options.fromCaseClose) {
    await appendCaseEvent(tx, {
      orgId: decider.orgId,
      caseId: anomaly.caseId,
      kind: 'decision',
      actorId: decider.userId ?? null,
      actorName: decider.name,
      at: decidedAt,
      data: { anomalyIds: [anomaly.id], label: decision.label, note: decision.note ?? null, inForce: outcome === 'applied' },
    })
  }
  if (outcome !== 'applied') {
    const current = await tx.anomaly.findUniqueOrThrow({ where: { id: anomaly.id }, select: { status: true } })
    return {
      mutationId: decision.mutationId,
      outcome,
      status: current.status,
      ...(outcome === 'conflict' && standing ? { standing: decisionOf(standing), reason: `${standing.decidedBy} decided this alert first` } : {}),
    }
  }
  // The new decision is in force: what stood before stays in the history, superseded.
  await tx.anomalyLabel.updateMany({
    where: { anomalyId: anomaly.id, supersededAt: null, mutationId: { not: decision.mutationId } },
    data: { supersededAt: new Date(receivedAt) },
  })
  const status = statusForLabel(decision.label)
  await feedFeatureState(tx, config, decider.orgId, anomaly.id, anomaly.status === 'CONFIRMED_FRAUD', status === 'CONFIRMED_FRAUD')
  await tx.anomaly.update({
    where: { id: anomaly.id },
    data: { status, isFalsePositive: status === 'FALSE_POSITIVE' },
  })
  await recordAudit(
    tx,
    { orgId: decider.orgId, actor: decider.actor, ip: decider.ip, userAgent: decider.userAgent },
    {
      action: 'anomaly.label',
      entityType: 'Anomaly',
      entityId: anomaly.id,
      oldData: { status: anomaly.status },
      newData: { status, note: decision.note ?? null, mutationId: decision.mutationId },
    },
  )
  return { mutationId: decision.mutationId, outcome: 'applied', status }
}

interface StandingDecision {
  mutationId: string
  label: LabelKind
  note: string | null
  decidedBy: string
  decidedById: string | null
  decidedAt: Date
}

/**
 * What becomes of a decision when another is in force: the first decision stands
 * against other people's decisions its analyst had not seen (`conflict`); a decision
 * based on the standing one (a reopen) applies; among one person's own decisions the
 * latest wins (an older one is `superseded`).
 */
export function outcomeAgainst(
  standing: StandingDecision,
  decider: Pick<Decider, 'userId' | 'name'>,
  decision: { mutationId: string; decidedAt: Date; basedOn?: string | null | undefined },
): 'applied' | 'conflict' | 'superseded' {
  if (decision.basedOn === standing.mutationId) return 'applied'
  const sameDecider =
    standing.decidedById !== null || (decider.userId ?? null) !== null ? standing.decidedById === (decider.userId ?? null) : standing.decidedBy === decider.name
  if (!sameDecider) return 'conflict'
  const newer =
    decision.decidedAt.getTime() > standing.decidedAt.getTime() ||
    (decision.decidedAt.getTime() === standing.decidedAt.getTime() && decision.mutationId > standing.mutationId)
  return newer ? 'applied' : 'superseded'
}

function decisionOf(label: StandingDecision) {
  return {
    label: label.label,
    note: label.note,
    decidedBy: label.decidedBy,
    decidedById: label.decidedById,
    decidedAt: label.decidedAt.getTime(),
    mutationId: label.mutationId,
  }
}

/**
 * Feeds the decision into the merchant/terminal and account risk features, as
 * known fraud (the shared applyLabel; its label delay still applies when scoring).
 * A change of mind is applied as a correction: a fraud turned false positive takes
 * its count back out. Rows are locked like ingestion locks them, so a concurrent
 * batch on the same merchant waits instead of overwriting.
 */
async function feedFeatureState(
  tx: Prisma.TransactionClient,
  config: FeatureConfig,
  orgId: string,
  anomalyId: string,
  wasFraud: boolean,
  isFraud: boolean,
): Promise<void> {
  if (wasFraud === isFraud) return
  const t = await tx.anomaly.findUniqueOrThrow({
    where: { id: anomalyId },
    select: { transaction: { select: { accountId: true, merchantId: true, timestamp: true } } },
  })
  const { accountId, merchantId, timestamp } = t.transaction
  const sql = sqlOfPrismaTransaction(tx)
  const states = await lockFeatureStates(sql, orgId, [accountId], [merchantId])
  const account = states.accounts.get(accountId)
  const merchant = states.merchants.get(merchantId)
  // No state yet (the transaction came before feature state existed): nothing to correct.
  if (account) applyLabel(account, timestamp.getTime(), isFraud, config, wasFraud)
  if (merchant) applyLabel(merchant, timestamp.getTime(), isFraud, config, wasFraud)
  await saveFeatureStates(sql, orgId, states)
}
