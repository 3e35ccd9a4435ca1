import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_MODEL_DIR } from '@anomalyze/shared/node'

/**
 * The shipped default model's files as a `models.register` upload under another
 * version (and any manifest edit): a valid artifact in milliseconds, no training.
 */
export function shippedModelUpload(version: string, edit: (manifest: Record<string, unknown>) => void = () => {}) {
  const manifest = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>
  manifest.version = version
  edit(manifest)
  const onnx = readFileSync(join(DEFAULT_MODEL_DIR, 'model.onnx'))
  return {
    manifest: JSON.stringify(manifest),
    onnxBase64: onnx.toString('base64'),
    treesBase64: readFileSync(join(DEFAULT_MODEL_DIR, 'model.json')).toString('base64'),
    sha256: createHash('sha256').update(onnx).digest('hex'),
  }
}
