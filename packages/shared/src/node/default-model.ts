import { access } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { FEATURE_NAMES } from '../detection/features/compute-features.ts'
import { buildFeatureMatrix } from '../detection/features/feature-matrix.ts'
import { profileFeatures, type FeatureProfile } from '../detection/file-fit/feature-profile.ts'
import { RECOMMENDED_TRAINING, trainAnomalyModel, type TrainResult } from '../detection/models/train-model.ts'
import { generateTransactions, type GeneratorOptions } from '../generator/generate-transactions.ts'
import { loadModelArtifact, saveModelArtifact, type LoadedModel, type LoadOptions } from './model-artifact.ts'
import { MANIFEST_FILE, type TrainingSummary } from './model-manifest.ts'

/** Where the shipped default model lives in the source tree (packages/shared/models/default). */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../models/default/', import.meta.url))

/**
 * Bundled into an app (the desktop's core host), this module's own URL no longer points
 * at the model: the app copies the model beside its bundle and says where, once at start.
 */
let shippedModelDir = DEFAULT_MODEL_DIR

/** Where the shipped default model is read from from now on (a bundle's copy of models/default). */
export function useDefaultModelDir(dir: string): void {
  shippedModelDir = dir.endsWith('/') || dir.endsWith('\\') ? dir : `${dir}/`
}

/** The folder the shipped default model is read from (ends with a separator). */
export function defaultModelDir(): string {
  return shippedModelDir
}

export const DEFAULT_GENERATOR: GeneratorOptions = { seed: 20_240_101, customers: 1_000, terminals: 2_000, days: 60, startDate: '2024-01-01' }

export interface DefaultModel extends TrainResult {
  training: TrainingSummary
  /** The training rows' feature profile, for checkFileDomain. */
  featureProfile: FeatureProfile
}

/**
 * A working model with no customer data: trained on the labelled synthetic
 * generator (the handbook's fraud patterns), supervised trees blended with the
 * isolation forest. Deterministic: same model on every machine. The server gives it
 * to a new account until that account has labels of its own.
 */
export function trainDefaultModel(generator: GeneratorOptions = DEFAULT_GENERATOR): DefaultModel {
  const items = [...generateTransactions(generator)]
  const matrix = buildFeatureMatrix(items)
  const result = trainAnomalyModel(matrix.rows, { ...RECOMMENDED_TRAINING, labels: matrix.labels ?? undefined })
  const first = items[0]?.transaction.timestamp
  const last = items[items.length - 1]?.transaction.timestamp
  return {
    ...result,
    featureProfile: profileFeatures(matrix.rows, FEATURE_NAMES.length, FEATURE_NAMES),
    training: {
      source: `generated: ${JSON.stringify(generator)}`,
      rows: matrix.count,
      frauds: result.metrics.frauds,
      from: first === undefined ? null : new Date(first).toISOString(),
      to: last === undefined ? null : new Date(last).toISOString(),
    },
  }
}

/** Trains the default model and writes it as an artifact (used to refresh models/default). */
export async function writeDefaultModel(dir: string = DEFAULT_MODEL_DIR): Promise<void> {
  const { model, metrics, training, featureProfile } = trainDefaultModel()
  await saveModelArtifact(dir, model, { version: '1.0.0', training, metrics, featureProfile })
}

/**
 * Loads the shipped default model; if it is absent (a trimmed install), trains it
 * into `fallbackDir` first. A present but stale or corrupt one is an error.
 */
export async function loadDefaultModel(fallbackDir?: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const dir = defaultModelDir()
  const shipped = await access(`${dir}${MANIFEST_FILE}`).then(
    () => true,
    () => false,
  )
  if (shipped || !fallbackDir) return loadModelArtifact(dir, options)
  await writeDefaultModel(fallbackDir)
  return loadModelArtifact(fallbackDir, options)
}
