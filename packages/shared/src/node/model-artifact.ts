import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FEATURE_NAMES } from '../detection/features/compute-features.ts'
import { MODEL_FORMAT_VERSION, type AnomalyModel } from '../detection/models/anomaly-model.ts'
import type { TrainMetrics } from '../detection/models/train-model.ts'
import type { FeatureProfile } from '../detection/file-fit/feature-profile.ts'
import { ARTIFACT_FORMAT_VERSION, MANIFEST_FILE, ONNX_FILE, TREES_FILE, ZModelManifest, type ModelManifest, type TrainingSummary } from './model-manifest.ts'
import { modelToOnnx } from './onnx/export-onnx.ts'
import { createOnnxScorer, type OnnxScorer } from './onnx/onnx-scorer.ts'
import { createWorkerOnnxScorer } from './onnx/onnx-worker-scorer.ts'

/** A model that cannot be used; the message is one line a user can act on. */
export class ModelArtifactError extends Error {
  override readonly name = 'ModelArtifactError'
}

export interface LoadedModel {
  dir: string
  manifest: ModelManifest
  /** The trees and post-processing in TS form (reference scoring, explanations). */
  model: AnomalyModel
  scorer: OnnxScorer
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

export interface SaveOptions {
  version?: string
  training: TrainingSummary
  metrics?: TrainMetrics
  /** The training rows' feature profile (profileFeatures), stored in the manifest. */
  featureProfile?: FeatureProfile
}

/** Writes model.onnx, model.json and manifest.json into `dir` (created if needed). */
export async function saveModelArtifact(dir: string, model: AnomalyModel, options: SaveOptions): Promise<ModelManifest> {
  await mkdir(dir, { recursive: true })
  const onnxBytes = modelToOnnx(model)
  const treeBytes = new TextEncoder().encode(JSON.stringify(model))
  const m = options.metrics
  const manifest: ModelManifest = {
    format: 'anomalyze-model',
    formatVersion: ARTIFACT_FORMAT_VERSION,
    version: options.version ?? '1.0.0',
    createdAt: new Date().toISOString(),
    featureNames: [...model.featureNames],
    thresholds: model.thresholds,
    alertBudget: model.alertBudget,
    supervised: model.supervised !== null,
    isolationBlend: model.isolationBlend,
    training: options.training,
    metrics: m
      ? {
          rows: m.rows,
          frauds: m.frauds,
          holdoutRows: m.holdoutRows,
          holdoutAucRoc: m.holdoutAucRoc,
          holdoutAveragePrecision: m.holdoutAveragePrecision,
          alertRate: { ...m.alertRate },
        }
      : {},
    files: { onnx: { name: ONNX_FILE, sha256: sha256(onnxBytes) }, trees: { name: TREES_FILE, sha256: sha256(treeBytes) } },
    ...(options.featureProfile ? { featureProfile: options.featureProfile } : {}),
  }
  ZModelManifest.parse(manifest)
  await writeFile(join(dir, ONNX_FILE), onnxBytes)
  await writeFile(join(dir, TREES_FILE), treeBytes)
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
  return manifest
}

async function readOrFail(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ModelArtifactError(`cannot read ${what} ${path}${code === 'ENOENT' ? ': no such file' : `: ${code ?? 'error'}`}`)
  }
}

function parseJson(bytes: Buffer, path: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new ModelArtifactError(`${path} is not valid JSON (corrupt model?)`)
  }
}

/**
 * Loads and verifies a model directory: manifest shape and version, feature list
 * against this build's FEATURE_NAMES, and the sha256 of each file. Any mismatch
 * throws ModelArtifactError rather than scoring with the wrong model.
 */
export interface LoadOptions {
  /** Run ONNX Runtime in a worker thread (batch jobs: overlaps scoring with parsing). */
  worker?: boolean
}

export async function loadModelArtifact(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const manifestPath = join(dir, MANIFEST_FILE)
  const raw = parseJson(await readOrFail(manifestPath, 'model manifest'), manifestPath) as { formatVersion?: unknown }
  if (typeof raw === 'object' && raw !== null && raw.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new ModelArtifactError(
      `model format version ${String(raw.formatVersion)} is not supported (this build reads version ${ARTIFACT_FORMAT_VERSION}); retrain the model`,
    )
  }
  const parsed = ZModelManifest.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ModelArtifactError(`invalid model manifest ${manifestPath}: ${issue?.path.join('.') || 'root'}: ${issue?.message ?? 'invalid'}`)
  }
  const manifest = parsed.data
  const expected = FEATURE_NAMES.join(',')
  if (manifest.featureNames.join(',') !== expected) {
    const missing = FEATURE_NAMES.filter((n) => !manifest.featureNames.includes(n))
    const extra = manifest.featureNames.filter((n) => !(FEATURE_NAMES as readonly string[]).includes(n))
    throw new ModelArtifactError(
      `model features do not match this build (missing: ${missing.join(' ') || 'none'}; unknown: ${extra.join(' ') || 'none'}; or a different order); retrain the model`,
    )
  }
  const onnxBytes = await readOrFail(join(dir, manifest.files.onnx.name), 'ONNX model')
  const treeBytes = await readOrFail(join(dir, manifest.files.trees.name), 'model trees')
  for (const [bytes, file] of [
    [onnxBytes, manifest.files.onnx],
    [treeBytes, manifest.files.trees],
  ] as const) {
    if (sha256(bytes) !== file.sha256) throw new ModelArtifactError(`${file.name} does not match the sha256 in its manifest (corrupt or modified model)`)
  }
  const model = parseJson(treeBytes, join(dir, manifest.files.trees.name)) as AnomalyModel
  if (model.formatVersion !== MODEL_FORMAT_VERSION || model.featureNames.join(',') !== expected) {
    throw new ModelArtifactError(`${manifest.files.trees.name} is of another model version; retrain the model`)
  }
  let scorer: OnnxScorer
  try {
    scorer = options.worker ? await createWorkerOnnxScorer(onnxBytes, model) : await createOnnxScorer(onnxBytes, model)
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]
    throw new ModelArtifactError(`ONNX Runtime cannot load ${manifest.files.onnx.name}: ${first}`)
  }
  return { dir, manifest, model, scorer }
}
