import { AppError } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import { onnxKey, putArtifactFiles, sha256Hex, type ArtifactFiles } from './model-files.ts'
import { verifyArtifact } from './verify-artifact.ts'

export interface RegisteredModel {
  id: string
  version: string
  sha256: string
  s3Path: string
}

export interface RegisterOptions {
  /** sha256 of model.onnx as the uploader computed it (transport check). */
  expectedSha256?: string | undefined
  /** Extra figures to keep beside the manifest's (a training job's evaluation). */
  metrics?: Prisma.InputJsonObject | undefined
}

/**
 * Verifies an artifact, stores its files in object storage and records it as a new,
 * inactive version. Refuses (BAD_INPUT) anything that would not load for scoring,
 * and (CONFLICT) a version the user already has: versions are immutable.
 */
export async function registerModel(
  db: Db,
  storage: ObjectStore,
  actor: AuditActor,
  files: ArtifactFiles,
  options: RegisterOptions = {},
): Promise<RegisteredModel> {
  const manifest = await verifyArtifact(files, options.expectedSha256)
  const { orgId } = actor
  const taken = await db.modelArtifact.findUnique({ where: { orgId_version: { orgId, version: manifest.version } }, select: { id: true } })
  if (taken) throw new AppError('CONFLICT', `Model version ${manifest.version} is already registered; bump the version`, { field: 'version' })

  const s3Path = onnxKey(orgId, manifest.version)
  await putArtifactFiles(storage, s3Path, files)
  const sha256 = sha256Hex(files.onnx)
  const metrics: Prisma.InputJsonObject = { ...(manifest.metrics as Prisma.InputJsonObject), ...options.metrics }
  try {
    return await db.$transaction(async (tx) => {
      const row = await tx.modelArtifact.create({
        data: { orgId, version: manifest.version, s3Path, sha256, manifest: manifest as unknown as Prisma.InputJsonObject, metrics },
        select: { id: true, version: true, sha256: true, s3Path: true },
      })
      await recordAudit(tx, actor, {
        action: 'model.register',
        entityType: 'ModelArtifact',
        entityId: row.id,
        newData: { version: row.version, sha256, supervised: manifest.supervised },
      })
      return row
    })
  } catch (error) {
    // Two registrations of one version raced: the unique (orgId, version) index decided.
    if ((error as { code?: string }).code === 'P2002') {
      throw new AppError('CONFLICT', `Model version ${manifest.version} is already registered; bump the version`, { field: 'version' })
    }
    throw error
  }
}

/** Next free minor version after the user's highest ("1.0.0" -> "1.1.0"). */
export async function nextModelVersion(db: Db, orgId: string, base = '1.0.0'): Promise<string> {
  const rows = await db.modelArtifact.findMany({ where: { orgId }, select: { version: true } })
  const parse = (v: string): [number, number, number] => {
    const [major = 0, minor = 0, patch = 0] = v.split('-')[0]!.split('.').map(Number)
    return [major, minor, patch]
  }
  const highest = [base, ...rows.map((r) => r.version)]
    .map(parse)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
    .at(-1) as [number, number, number]
  return `${highest[0]}.${highest[1] + 1}.0`
}
