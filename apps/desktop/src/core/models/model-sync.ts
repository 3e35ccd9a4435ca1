import { createHash } from 'node:crypto'
import { rename, rm, writeFile, access } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { AppError } from '@anomalyze/shared'
import { loadModelArtifact, ModelArtifactError, type LoadedModel } from '@anomalyze/shared/node'
import { ensurePrivateDirAsync, PRIVATE_FILE_MODE } from '@anomalyze/shared/node'

/** What the server's models.active answers (apps/server/src/services/models/list-models.ts). */
const ZActiveArtifact = z.object({
  version: z.string(),
  sha256: z.string().nullable(),
  files: z.array(z.object({ name: z.enum(['manifest.json', 'model.onnx', 'model.json']), url: z.string() })),
})

/** The server's name for "no registered version is active: use the shipped model". */
export const SHIPPED_MODEL = 'default'

export interface ModelSyncOptions {
  /** models/<version>/ folders are kept here (the console's data dir). */
  dir: string
  /** A server procedure call (SyncEngine.callServer). */
  call: (type: 'query' | 'mutation', path: string, input: unknown) => Promise<unknown>
  /** Downloads one signed link (default: fetch). */
  download?: (url: string) => Promise<Uint8Array>
}

export type ModelSyncResult =
  | { kind: 'shipped' }
  | { kind: 'unchanged'; version: string; loaded: LoadedModel }
  | { kind: 'updated'; version: string; previousVersion: string | null; loaded: LoadedModel }

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url)
  if (!response.ok) throw new AppError('UNAVAILABLE', `Model download failed: HTTP ${response.status}`)
  return new Uint8Array(await response.arrayBuffer())
}

/**
 * Brings the server's active model to this desktop: asks which version is active,
 * downloads it only when it is not here yet, checks model.onnx against the sha256
 * the registry recorded and the whole artifact the way scoring loads it (manifest,
 * feature list, per-file hashes), then publishes it by renaming its folder into
 * place, so a half-downloaded or refused model is never used.
 */
export async function syncActiveModel(options: ModelSyncOptions, currentVersion: string | null): Promise<ModelSyncResult> {
  const active = ZActiveArtifact.parse(await options.call('query', 'models.active', undefined))
  if (active.version === SHIPPED_MODEL || active.sha256 === null) return { kind: 'shipped' }
  const target = join(options.dir, `${active.version}-${active.sha256.slice(0, 12)}`)
  const present = await access(join(target, 'manifest.json')).then(
    () => true,
    () => false,
  )
  if (present && currentVersion === active.version) return { kind: 'unchanged', version: active.version, loaded: await loadModelArtifact(target) }
  if (!present) {
    const download = options.download ?? fetchBytes
    const staging = `${target}.partial`
    await rm(staging, { recursive: true, force: true })
    await ensurePrivateDirAsync(staging)
    try {
      for (const file of active.files) {
        const bytes = await download(file.url)
        if (file.name === 'model.onnx' && sha256(bytes) !== active.sha256) {
          throw new AppError('BAD_INPUT', `Model ${active.version} refused: model.onnx does not match the registry's sha256 (corrupt download)`)
        }
        await writeFile(join(staging, file.name), bytes, { mode: PRIVATE_FILE_MODE })
      }
      const check = await loadModelArtifact(staging).catch((error: unknown) => {
        if (error instanceof ModelArtifactError) throw new AppError('BAD_INPUT', `Model ${active.version} refused: ${error.message}`)
        throw error
      })
      await check.scorer.close()
      await rename(staging, target)
    } catch (error) {
      await rm(staging, { recursive: true, force: true })
      throw error
    }
  }
  return { kind: 'updated', version: active.version, previousVersion: currentVersion, loaded: await loadModelArtifact(target) }
}
