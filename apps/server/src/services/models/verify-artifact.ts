import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { AppError } from '@anomalyze/shared'
import { loadModelArtifact, ModelArtifactError, type ModelManifest } from '@anomalyze/shared/node'
import { sha256Hex, writeArtifactDir, type ArtifactFiles } from './model-files.ts'

/**
 * Checks an artifact the way scoring will load it: manifest shape and format, the
 * feature list against this build's, each file's sha256 against the manifest, the
 * .onnx against `expectedOnnxSha256` when the caller knows it, and that ONNX Runtime
 * accepts the model. Any failure is a BAD_INPUT naming what is wrong, so a corrupt
 * or mismatched model is refused before it is registered or activated.
 */
export async function verifyArtifact(files: ArtifactFiles, expectedOnnxSha256?: string): Promise<ModelManifest> {
  const actual = sha256Hex(files.onnx)
  if (expectedOnnxSha256 !== undefined && actual !== expectedOnnxSha256.toLowerCase()) {
    throw new AppError('BAD_INPUT', `Model refused: model.onnx has sha256 ${actual}, expected ${expectedOnnxSha256} (corrupt or modified upload)`, {
      field: 'sha256',
    })
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'anomalyze-verify-'))
  try {
    const dir = await writeArtifactDir(files, 'artifact', root)
    const loaded = await loadModelArtifact(dir).catch((error: unknown) => {
      if (error instanceof ModelArtifactError) throw new AppError('BAD_INPUT', `Model refused: ${error.message}`, { field: 'manifest' })
      throw error
    })
    await loaded.scorer.close()
    return loaded.manifest
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
