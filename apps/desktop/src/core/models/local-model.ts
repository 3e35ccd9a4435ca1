import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { loadDefaultModel, loadModelArtifact } from '@anomalyze/shared/node'
import type { ModelChangeSummary } from '../../contract/sync-status.ts'
import type { ActiveLocalModel } from '../scoring/scoring-service.ts'
import type { LocalStore } from '../store/local-store.ts'
import { createRescoreRows } from '../store/rescore-rows.ts'
import { SHIPPED_MODEL, syncActiveModel } from './model-sync.ts'
import { createRulesInForce } from '../rules/rules-in-force.ts'
import { rescoreQueue } from './rescore-queue.ts'

/** Where a synced version lives in the data dir (model-sync.ts writes it there). */
export function modelFolder(dir: string, version: string, sha256: string): string {
  return join(dir, `${version}-${sha256.slice(0, 12)}`)
}

/**
 * The model to score with at start-up, offline included: the account's active version
 * when an earlier sync brought it here, else the model shipped with the app.
 */
export async function loadLocalModel(dir: string, active: { version: string | null; sha256: string | null }): Promise<ActiveLocalModel> {
  if (active.version !== null && active.sha256 !== null && active.version !== SHIPPED_MODEL) {
    const folder = modelFolder(dir, active.version, active.sha256)
    if (
      await access(join(folder, 'manifest.json')).then(
        () => true,
        () => false,
      )
    ) {
      return { version: active.version, loaded: await loadModelArtifact(folder) }
    }
  }
  const loaded = await loadDefaultModel()
  // Same version string as the server writes for the default model.
  return { version: `default@${loaded.manifest.version}`, loaded }
}

/**
 * After a sync: brings the account's active model here when it changed and switches
 * scoring to it (a refused download keeps the current model and reports why).
 */
export async function followActiveModel(options: {
  dir: string
  call: (type: 'query' | 'mutation', path: string, input: unknown) => Promise<unknown>
  currentVersion: string | null
  use: (model: ActiveLocalModel) => Promise<void>
}): Promise<{ changed: boolean; version: string | null }> {
  const result = await syncActiveModel({ dir: options.dir, call: options.call }, options.currentVersion)
  if (result.kind === 'updated') {
    await options.use({ version: result.version, loaded: result.loaded })
    return { changed: true, version: result.version }
  }
  if (result.kind === 'unchanged') {
    // Loaded only to compare; scoring keeps the instance it has.
    await result.loaded.scorer.close()
    return { changed: false, version: result.version }
  }
  // The account went back to the shipped model (or never left it).
  if (options.currentVersion !== null && !options.currentVersion.startsWith('default@')) {
    await options.use(await loadLocalModel(options.dir, { version: null, sha256: null }))
    return { changed: true, version: null }
  }
  return { changed: false, version: options.currentVersion }
}

/**
 * After a sync: re-scores the local queue when rows are scored by another model than
 * the one this desktop now uses (a new active version, a rollback, or rows pulled
 * later that the server scored before the change). The model is loaded on its own
 * for the pass and released after it, so scoring jobs are not disturbed; nothing is
 * loaded when no row needs it.
 */
export async function rescoreWithActiveModel(options: {
  dir: string
  store: LocalStore
  /** Version scoring uses now (ScoringService.modelVersion), null when not loaded yet. */
  currentVersion: string | null
  now: number
  onProgress?: (done: number, total: number) => void
}): Promise<ModelChangeSummary | null> {
  const { store } = options
  if (options.currentVersion !== null) {
    const rows = createRescoreRows(store.db)
    if (rows.countCandidates(options.currentVersion) === 0 && rows.unscorable(options.currentVersion).length === 0) return null
  }
  const model = await loadLocalModel(options.dir, { version: store.state.get('activeModelVersion'), sha256: store.state.get('activeModelSha256') })
  try {
    // The version scoring uses wins: the one loaded here may be the shipped fallback.
    if (options.currentVersion !== null && model.version !== options.currentVersion) return null
    // The rule set as last synced: fired rules keep their boost and floor on the new score.
    const rules = createRulesInForce(store).current().summary.rules
    return await rescoreQueue({ store, model, now: options.now, rules, ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) })
  } finally {
    await model.loaded.scorer.close()
  }
}
