import type { Db } from '../../db/prisma.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import { DEFAULT_MODEL_VERSION, type ModelRegistry } from './model-registry.ts'
import { artifactKeys, ARTIFACT_FILE_NAMES } from './model-files.ts'

export interface ModelVersionDto {
  id: string
  version: string
  sha256: string
  isActive: boolean
  /** Epoch milliseconds. */
  activatedAt: number | null
  createdAt: number
  supervised: boolean
  metrics: Record<string, unknown>
  trainingJobId: string | null
  /** True for the default model shipped with the engine (id SHIPPED_DEFAULT_ID, version 'default'). */
  shippedDefault: boolean
}

/** The shipped default's id in models.list (it has no ModelArtifact row). */
export const SHIPPED_DEFAULT_ID = 'shipped-default'

/**
 * The shipped default as a version like the others, so it can be compared and
 * activated: active when no registered version is, metrics from its manifest.
 */
async function shippedDefaultEntry(models: ModelRegistry, anyActive: boolean): Promise<ModelVersionDto> {
  const { manifest } = (await models.shipped()).loaded
  const metrics = (manifest.metrics ?? {}) as Record<string, unknown>
  return {
    id: SHIPPED_DEFAULT_ID,
    version: DEFAULT_MODEL_VERSION,
    sha256: manifest.files.onnx.sha256,
    isActive: !anyActive,
    activatedAt: null,
    createdAt: Date.parse(manifest.createdAt) || 0,
    supervised: manifest.supervised,
    // The manifest says holdoutAucRoc / holdoutAveragePrecision; the list reads the plain names too.
    metrics: { ...metrics, averagePrecision: metrics.holdoutAveragePrecision ?? null, aucRoc: metrics.holdoutAucRoc ?? null },
    trainingJobId: null,
    shippedDefault: true,
  }
}

/** Every registered version of the organisation's, newest first, with its metrics; the shipped default last. */
export async function listModels(db: Db, models: ModelRegistry, orgId: string): Promise<{ activeVersion: string; versions: ModelVersionDto[] }> {
  const rows = await db.modelArtifact.findMany({
    where: { orgId },
    orderBy: { createdAt: 'desc' },
    include: { trainingJobs: { select: { id: true }, take: 1 } },
  })
  const versions = rows.map((r) => ({
    id: r.id,
    version: r.version,
    sha256: r.sha256,
    isActive: r.isActive,
    activatedAt: r.activatedAt?.getTime() ?? null,
    createdAt: r.createdAt.getTime(),
    supervised: (r.manifest as { supervised?: boolean }).supervised === true,
    metrics: (r.metrics ?? {}) as Record<string, unknown>,
    trainingJobId: r.trainingJobs[0]?.id ?? null,
    shippedDefault: false,
  }))
  const active = versions.find((v) => v.isActive)
  return { activeVersion: active?.version ?? DEFAULT_MODEL_VERSION, versions: [...versions, await shippedDefaultEntry(models, active !== undefined)] }
}

export interface ActiveArtifactDto {
  /** DEFAULT_MODEL_VERSION when the user has no active registered model (desktops keep their shipped one). */
  version: string
  sha256: string | null
  manifest: unknown
  files: { name: string; url: string }[]
  expiresAt: string | null
}

const LINK_SECONDS = 15 * 60

/** The active artifact for desktops: its manifest and time-limited links to each file. */
export async function activeArtifact(db: Db, storage: ObjectStore, orgId: string): Promise<ActiveArtifactDto> {
  const row = await db.modelArtifact.findFirst({ where: { orgId, isActive: true } })
  if (!row) return { version: DEFAULT_MODEL_VERSION, sha256: null, manifest: null, files: [], expiresAt: null }
  const keys = artifactKeys(row.s3Path)
  const files = await Promise.all(
    (Object.keys(keys) as (keyof typeof keys)[]).map(async (kind) => ({
      name: ARTIFACT_FILE_NAMES[kind],
      url: await storage.downloadUrl(keys[kind], { expiresInSeconds: LINK_SECONDS, fileName: ARTIFACT_FILE_NAMES[kind] }),
    })),
  )
  return { version: row.version, sha256: row.sha256, manifest: row.manifest, files, expiresAt: new Date(Date.now() + LINK_SECONDS * 1000).toISOString() }
}
