import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { loadDefaultModel, loadModelArtifact } from '@anomalyze/shared/node'
import type { ActiveLocalModel } from '../scoring/scoring-service.ts'
import { SHIPPED_MODEL, syncActiveModel } from './model-sync.ts'

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
    if (await access(join(folder, 'manifest.json')).then(() => true, () => false)) {
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
