import { AppError } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import { DEFAULT_MODEL_VERSION, type ModelRegistry } from './model-registry.ts'
import { getArtifactFiles } from './model-files.ts'
import { verifyArtifact } from './verify-artifact.ts'

export interface ActivationResult {
  version: string
  previousVersion: string | null
}

export interface ActivateOptions {
  /** Recorded in the audit row: why this activation happened. */
  reason?: 'manual' | 'rollback' | 'auto-after-training'
}

/**
 * Makes `version` the user's active model. The stored files are verified first (a
 * corrupt or tampered artifact is refused and the current model stays). The switch
 * itself runs in one transaction that locks all of the user's artifacts, so two
 * concurrent activations queue and exactly one version ends up active; the AuditLog
 * row 'model.activate' with the old and new versions commits with it.
 */
/** What activation needs besides the database: the files, and the registry it tells. */
export interface ActivationDeps {
  storage: ObjectStore
  models: ModelRegistry
}

export async function activateModel(
  db: Db,
  { storage, models }: ActivationDeps,
  actor: AuditActor,
  version: string,
  options: ActivateOptions = {},
): Promise<ActivationResult> {
  const { orgId } = actor
  if (version === DEFAULT_MODEL_VERSION) return activateShippedDefault(db, models, actor, options)
  const target = await db.modelArtifact.findUnique({ where: { orgId_version: { orgId, version } } })
  if (!target) throw new AppError('NOT_FOUND', `No model version ${version}`, { field: 'version' })

  const files = await getArtifactFiles(storage, target.s3Path).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'NOT_FOUND') {
      throw new AppError('CONFLICT', `Model ${version} cannot be activated: its files are missing from storage`, { field: 'version' })
    }
    throw error
  })
  await verifyArtifact(files, target.sha256).catch((error: unknown) => {
    if (error instanceof AppError) throw new AppError('CONFLICT', `Model ${version} cannot be activated: ${error.message}`, { field: 'version' })
    throw error
  })

  const result = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; version: string; isActive: boolean }[]>`
      SELECT id, version, "isActive" FROM "ModelArtifact" WHERE "orgId" = ${orgId} ORDER BY id FOR UPDATE`
    const previous = rows.find((r) => r.isActive) ?? null
    if (previous?.id === target.id) return { version, previousVersion: version, changed: false }
    await tx.modelArtifact.updateMany({ where: { orgId, isActive: true }, data: { isActive: false } })
    await tx.modelArtifact.update({ where: { id: target.id }, data: { isActive: true, activatedAt: new Date(), activatedById: actor.userId ?? null } })
    await recordAudit(tx, actor, {
      action: 'model.activate',
      entityType: 'ModelArtifact',
      entityId: target.id,
      oldData: { version: previous?.version ?? null },
      newData: { version, reason: options.reason ?? 'manual' },
    })
    return { version, previousVersion: previous?.version ?? null, changed: true }
  })
  if (result.changed) models.invalidate(orgId)
  return { version: result.version, previousVersion: result.previousVersion }
}

/**
 * Makes the shipped default the organisation's model: every registered version
 * inactive (desktops then fall back to their shipped copy through models.active).
 * Same lock and audit as any activation; nothing to verify, it ships with the build.
 */
async function activateShippedDefault(db: Db, models: ModelRegistry, actor: AuditActor, options: ActivateOptions): Promise<ActivationResult> {
  const { orgId } = actor
  const result = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; version: string; isActive: boolean }[]>`
      SELECT id, version, "isActive" FROM "ModelArtifact" WHERE "orgId" = ${orgId} ORDER BY id FOR UPDATE`
    const previous = rows.find((r) => r.isActive) ?? null
    if (!previous) return { version: DEFAULT_MODEL_VERSION, previousVersion: DEFAULT_MODEL_VERSION, changed: false }
    await tx.modelArtifact.updateMany({ where: { orgId, isActive: true }, data: { isActive: false } })
    await recordAudit(tx, actor, {
      action: 'model.activate',
      entityType: 'ModelArtifact',
      entityId: null,
      oldData: { version: previous.version },
      newData: { version: DEFAULT_MODEL_VERSION, reason: options.reason ?? 'manual' },
    })
    return { version: DEFAULT_MODEL_VERSION, previousVersion: previous.version, changed: true }
  })
  if (result.changed) models.invalidate(orgId)
  return { version: result.version, previousVersion: result.previousVersion }
}

/**
 * Goes back to an earlier version: the one given, or else the one the latest
 * activation replaced (from its audit row: a null there was the shipped default).
 * Only an organisation whose model never changed has nothing to roll back to.
 */
export async function rollbackModel(db: Db, deps: ActivationDeps, actor: AuditActor, version?: string): Promise<ActivationResult> {
  let target = version
  if (target === undefined) {
    const latest = await db.auditLog.findFirst({
      where: { orgId: actor.orgId, action: 'model.activate' },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { oldData: true },
    })
    if (!latest) throw new AppError('CONFLICT', 'Nothing to roll back to: the model was never changed', { field: 'version' })
    target = (latest.oldData as { version?: string | null } | null)?.version ?? DEFAULT_MODEL_VERSION
  }
  return activateModel(db, deps, actor, target, { reason: 'rollback' })
}
