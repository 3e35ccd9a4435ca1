import { fileURLToPath } from 'node:url'
import { useDefaultModelDir, useOnnxWorkerEntry } from '@anomalyze/shared/node'
import { isCoreMethod } from '../contract/handlers.ts'
import type { CoreResult } from '../contract/result.ts'
import { createCore, type Core } from '../core/create-core.ts'
import { filePermissionsProtector } from '../core/session/token-protector.ts'
import type { HostStartOptions, ServedCore } from './protocol.ts'
import { sealedTokenProtector } from './sealed-token.ts'

/**
 * Files the core reads at run time, copied beside the built core host by the build
 * (electron.vite.config.ts, bundledCoreFiles): bundled, the shared engine's own
 * `import.meta.url` no longer points at its model or its worker entry.
 */
export interface BundledAssets {
  /** The shipped default model (manifest.json, model.json, model.onnx). */
  modelDir: string
  /** ONNX Runtime's worker thread entry (plain JavaScript). */
  onnxWorker: URL
  /** The worker thread that stores a scored file's queue rows (core/scoring/alert-writer-worker.mjs). */
  alertWriterWorker: URL
}

/** Beside this module once built (out/main/): the build copies them there. */
export function bundledAssets(): BundledAssets {
  return {
    modelDir: fileURLToPath(new URL('./models/default/', import.meta.url)),
    onnxWorker: new URL('./onnx-worker-entry.mjs', import.meta.url),
    alertWriterWorker: new URL('./alert-writer-worker.mjs', import.meta.url),
  }
}

/** The core as the host process runs it: packaged model and worker, token sealed by the keychain's key. */
export function createHostCore(options: HostStartOptions, assets: BundledAssets = bundledAssets()): Core {
  useDefaultModelDir(assets.modelDir)
  useOnnxWorkerEntry(assets.onnxWorker)
  return createCore({
    dataDir: options.dataDir,
    autoSyncMs: options.autoSyncMs,
    tokenProtector: options.sessionKey === null ? filePermissionsProtector : sealedTokenProtector(Buffer.from(options.sessionKey, 'base64')),
    config: options.config,
    alertWriterWorker: assets.alertWriterWorker,
  })
}

/** The core's calls by name, for the message protocol. */
export function servedCore(core: Core): ServedCore {
  return {
    handler: (method) => (isCoreMethod(method) ? (core.handlers[method] as (args: unknown) => Promise<CoreResult<unknown>>) : undefined),
    allowPath: (path, use) => core.allowPath(path, use),
    close: () => core.close(),
  }
}
