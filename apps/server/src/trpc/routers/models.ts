import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { activateModel, rollbackModel } from '../../services/models/activate-model.ts'
import { activeArtifact, listModels, SHIPPED_DEFAULT_ID } from '../../services/models/list-models.ts'
import { getModelSettings, setAutoActivate } from '../../services/models/model-settings.ts'
import { previewCandidate } from '../../services/training/preview-candidate.ts'
import { registerModel } from '../../services/models/register-model.ts'
import { allowed } from '../init.ts'

/** A registered version (semantic), or 'default': the model shipped with the engine. */
const ZVersion = z
  .string()
  .max(100)
  .regex(/^(?:default|\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/, "must be a semantic version such as 1.2.0, or 'default' for the shipped model")
const ZBase64 = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')

/** Model files of a few hundred KB each: base64 in the JSON body (server body limit 8 MB). */
export const ZRegisterModelInput = z.strictObject({
  /** manifest.json as text. */
  manifest: z.string().min(2).max(1_000_000),
  onnxBase64: ZBase64.max(4_000_000),
  treesBase64: ZBase64.max(4_000_000),
  /** sha256 of model.onnx as computed by the uploader: refused when the upload differs. */
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters')
    .optional(),
})

/** Model registry: versions, upload, activation and rollback, and the active artifact for desktops. */
export const modelsRouter = {
  /** Every version with its metrics; API keys need the `models:read` scope. */
  list: allowed('models:read').query(({ ctx }) => listModels(ctx.db, ctx.services.models, ctx.orgId)),
  /** Whether a retrained winner is activated at once (else it waits for an admin's review). */
  settings: allowed('models:read').query(({ ctx }) => getModelSettings(ctx.db, ctx.orgId)),
  setAutoActivate: allowed('models:manage')
    .input(z.strictObject({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setAutoActivate(ctx.db, ctx.actor, input.enabled)),
  register: allowed('models:manage')
    .input(ZRegisterModelInput)
    .mutation(({ ctx, input }) => {
      const files = {
        manifest: Buffer.from(input.manifest, 'utf8'),
        onnx: Buffer.from(input.onnxBase64, 'base64'),
        trees: Buffer.from(input.treesBase64, 'base64'),
      }
      return registerModel(ctx.db, ctx.services.storage, ctx.actor, files, { expectedSha256: input.sha256 })
    }),
  /** Makes a version active; 'default' goes back to the shipped model. */
  activate: allowed('models:manage')
    .input(z.strictObject({ version: ZVersion }))
    .mutation(({ ctx, input }) => {
      return activateModel(ctx.db, ctx.services, ctx.actor, input.version)
    }),
  /** Back to `version`, or to the version active before the current one. */
  rollback: allowed('models:manage')
    .input(z.strictObject({ version: ZVersion.optional() }))
    .mutation(({ ctx, input }) => {
      return rollbackModel(ctx.db, ctx.services, ctx.actor, input.version)
    }),
  /**
   * Before/after of the alert queue if this (inactive) version, or the shipped default, were activated: recent
   * transactions scored by the active model and by the candidate. Read-only.
   */
  previewCandidate: allowed('models:preview')
    .input(
      z.strictObject({
        modelId: z
          .string()
          .max(100)
          .refine((v) => v === SHIPPED_DEFAULT_ID || z.uuid().safeParse(v).success, `must be a model version id or '${SHIPPED_DEFAULT_ID}'`),
        limit: z.number().int().min(1).max(100).optional(),
      }),
    )
    .query(({ ctx, input }) => {
      return previewCandidate(ctx.db, ctx.services, ctx.orgId, input.modelId, { limit: input.limit, log: ctx.log })
    }),
  /** What desktops download on sync: version, sha256, manifest and signed file links. */
  active: allowed('anomalies:read').query(({ ctx }) => activeArtifact(ctx.db, ctx.services.storage, ctx.orgId)),
} satisfies TRPCRouterRecord
