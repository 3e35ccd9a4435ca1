import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '@anomalyze/shared/engine'
import type { Db } from '../../db/prisma.ts'
import type { ModelRegistry } from '../models/model-registry.ts'

/**
 * The feature configuration of the model in force for the organisation (its day
 * boundaries and label delay decide which days the windows cover). The entity view
 * only reads: when no model can be loaded it uses the defaults rather than failing.
 */
export async function featureConfigFor(models: ModelRegistry, db: Db, orgId: string): Promise<FeatureConfig> {
  try {
    return (await models.activeFor(db, orgId)).loaded.model.featureConfig
  } catch {
    return DEFAULT_FEATURE_CONFIG
  }
}
