import { loadDefaultModel, type LoadedModel } from '@anomalyze/shared/node'
import type { Db } from '../../db/prisma.ts'

export interface ActiveModel {
  /** "default@1.0.0" for the shipped model, the registered version otherwise. */
  version: string
  loaded: LoadedModel
}

let defaultModel: Promise<ActiveModel> | null = null

/**
 * The model that scores a user's transactions: their active registered model when
 * they have one (model registry, to come with retraining), else the default model
 * shipped with the detection engine, which needs no labels and works from day one.
 */
export async function activeModelFor(_db: Db, _userId: string): Promise<ActiveModel> {
  defaultModel ??= loadDefaultModel().then(
    (loaded) => ({ version: `default@${loaded.manifest.version}`, loaded }),
    (error: unknown) => {
      defaultModel = null
      throw error
    },
  )
  return defaultModel
}
