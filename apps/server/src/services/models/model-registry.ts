import { AppError } from '@anomalyze/shared'
import { loadDefaultModel, loadModelArtifact, ModelArtifactError, type LoadedModel } from '@anomalyze/shared/node'
import { sqlPoolOf, type Db } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import { getArtifactFiles, sha256Hex, writeArtifactDir } from './model-files.ts'

export interface ActiveModel {
  /** "default@1.0.0" for the shipped model, the registered version otherwise. */
  version: string
  loaded: LoadedModel
}

/** Told when a user's active version cannot be loaded and the shipped model scores instead. */
export type FallbackListener = (details: { orgId: string; artifactId: string; reason: string }) => void

/** What the registry calls the shipped model when a user has no active version. */
export const DEFAULT_MODEL_VERSION = 'default'

/**
 * The models this server instance scores with: which version is active for a user, and
 * the loaded (ONNX) models themselves, cached. Built once in app/start-app.ts and handed
 * to whoever scores (ingestion, sync, training) and to activation, which invalidates it.
 */
export interface ModelRegistry {
  /**
   * The model that scores a user's transactions: their active registered model when
   * they have one, else the default model shipped with the detection engine, which
   * needs no labels and works from day one.
   */
  activeFor(db: Db, orgId: string): Promise<ActiveModel>
  /** The default model shipped with the detection engine (loaded once per instance). */
  shipped(): Promise<ActiveModel>
  /** Loads a registered version (once per instance), verifying its files as it goes. */
  registered(db: Db, artifactId: string): Promise<ActiveModel>
  /** Forgets the user's cached active version (after an activation). */
  invalidate(orgId: string): void
  /** Where fallbacks to the shipped model are reported (the log unless replaced). */
  onFallback(listener: FallbackListener): void
}

/**
 * How long a user's "which version is active" answer is reused without asking the
 * database. Activation invalidates it at once on the instance that activated; other
 * instances behind the load balancer follow within this many milliseconds.
 */
const ACTIVE_LOOKUP_TTL_MS = 5_000
/** Loaded registered models kept in memory (ONNX sessions), least recently used dropped. */
const MAX_LOADED_MODELS = 16
/** An active version that failed to load is tried again after this long, not on every call. */
const RETRY_UNUSABLE_MS = 60_000

export function createModelRegistry({ storage, log }: { storage: ObjectStore; log: Pick<Logger, 'warn'> }): ModelRegistry {
  let defaultModel: Promise<ActiveModel> | null = null
  const activeByUser = new Map<string, { artifactId: string | null; checkedAt: number }>()
  const loadedByArtifact = new Map<string, Promise<ActiveModel>>()
  const unusableUntil = new Map<string, number>()
  let reportFallback: FallbackListener = ({ orgId, artifactId, reason }) =>
    log.warn({ orgId, artifactId, reason }, 'active model cannot be loaded: the shipped model scores instead (activate another version or retrain)')

  function shippedModel(): Promise<ActiveModel> {
    defaultModel ??= loadDefaultModel().then(
      (loaded) => ({ version: `default@${loaded.manifest.version}`, loaded }),
      (error: unknown) => {
        defaultModel = null
        throw error
      },
    )
    return defaultModel
  }

  function registered(db: Db, artifactId: string): Promise<ActiveModel> {
    const cached = loadedByArtifact.get(artifactId)
    if (cached) {
      // Re-insert: Map order is the LRU order.
      loadedByArtifact.delete(artifactId)
      loadedByArtifact.set(artifactId, cached)
      return cached
    }
    const pending = (async (): Promise<ActiveModel> => {
      const row = await db.modelArtifact.findUniqueOrThrow({ where: { id: artifactId }, select: { version: true, s3Path: true, sha256: true } })
      const files = await getArtifactFiles(storage, row.s3Path)
      if (sha256Hex(files.onnx) !== row.sha256)
        throw new AppError('UNAVAILABLE', `Stored model ${row.version} does not match its sha256; activate another version`)
      const dir = await writeArtifactDir(files, row.sha256)
      return { version: row.version, loaded: await loadModelArtifact(dir) }
    })()
    pending.catch(() => loadedByArtifact.delete(artifactId))
    loadedByArtifact.set(artifactId, pending)
    while (loadedByArtifact.size > MAX_LOADED_MODELS) {
      const oldest = loadedByArtifact.keys().next().value as string
      const evicted = loadedByArtifact.get(oldest)
      loadedByArtifact.delete(oldest)
      // Close its ONNX session once in-flight scoring had time to finish.
      void evicted?.then(
        (m) => setTimeout(() => void m.loaded.scorer.close(), 30_000).unref(),
        () => {},
      )
    }
    return pending
  }

  async function activeFor(db: Db, orgId: string): Promise<ActiveModel> {
    let entry = activeByUser.get(orgId)
    if (!entry || Date.now() - entry.checkedAt > ACTIVE_LOOKUP_TTL_MS) {
      // Plain SQL: this runs on an ingest call every few seconds (see sqlPoolOf).
      const { rows } = await sqlPoolOf(db).query<{ id: string }>('SELECT "id" FROM "ModelArtifact" WHERE "orgId" = $1 AND "isActive" LIMIT 1', [orgId])
      entry = { artifactId: rows[0]?.id ?? null, checkedAt: Date.now() }
      activeByUser.set(orgId, entry)
    }
    if (entry.artifactId === null || (unusableUntil.get(entry.artifactId) ?? 0) > Date.now()) return shippedModel()
    try {
      return await registered(db, entry.artifactId)
    } catch (error) {
      // An active version this build cannot use (its features predate an upgrade of the
      // engine, or its stored files went bad) must not stop ingestion: the shipped model
      // scores instead, the anomalies say so in their modelVersion, and the log says why.
      // Activating a version that loads (or retraining) ends it.
      if (!(error instanceof ModelArtifactError) && !(error instanceof AppError && error.code === 'UNAVAILABLE')) throw error
      unusableUntil.set(entry.artifactId, Date.now() + RETRY_UNUSABLE_MS)
      reportFallback({ orgId, artifactId: entry.artifactId, reason: error.message })
      return shippedModel()
    }
  }

  return {
    activeFor,
    shipped: shippedModel,
    registered,
    invalidate: (orgId) => void activeByUser.delete(orgId),
    onFallback: (listener) => void (reportFallback = listener),
  }
}
