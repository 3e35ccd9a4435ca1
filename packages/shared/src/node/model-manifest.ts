import { z } from 'zod'

/** Version of the artifact layout (manifest + files). Loading refuses any other. */
export const ARTIFACT_FORMAT_VERSION = 1
export const MANIFEST_FILE = 'manifest.json'
export const ONNX_FILE = 'model.onnx'
export const TREES_FILE = 'model.json'

const ZFile = z.object({ name: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) })
const ZLevels = z.object({ medium: z.number(), high: z.number(), critical: z.number() })

const ZFeatureDistribution = z.object({
  name: z.string(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  zeroShare: z.number().min(0).max(1),
  constant: z.boolean(),
  edges: z.array(z.number()),
  shares: z.array(z.number().min(0).max(1)),
})

/** The training data's feature distributions (detection/file-fit/feature-profile.ts). */
export const ZFeatureProfile = z.object({ rows: z.number().int().nonnegative(), features: z.array(ZFeatureDistribution) })

/** manifest.json: what the model is, what it expects, how it was made. */
export const ZModelManifest = z.object({
  format: z.literal('anomalyze-model'),
  formatVersion: z.number().int(),
  /** Semantic version of this model (bump minor on retrain, major on feature changes). */
  version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/),
  createdAt: z.string(),
  featureNames: z.array(z.string()),
  thresholds: ZLevels,
  alertBudget: ZLevels,
  supervised: z.boolean(),
  isolationBlend: z.number(),
  training: z.object({
    source: z.string(),
    rows: z.number().int(),
    frauds: z.number().int().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
  }),
  metrics: z.record(z.string(), z.union([z.number(), z.null(), z.record(z.string(), z.number())])),
  files: z.object({ onnx: ZFile, trees: ZFile }),
  /**
   * What the training data looked like, to tell a user when a file does not look like
   * it (checkFileDomain). Optional: models saved before it existed have none.
   */
  featureProfile: ZFeatureProfile.optional(),
})

export type ModelManifest = z.infer<typeof ZModelManifest>
export type TrainingSummary = ModelManifest['training']
