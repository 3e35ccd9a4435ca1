import { checkFileDomain, FEATURE_NAMES, type FeatureProfile, type MappableField } from '@anomalyze/shared/engine'
import type { BatchDomainCheck, FieldMapping } from '../../contract/scoring.ts'
import type { CollectedRows } from './file-rows-collector.ts'

/**
 * Whether a scored file looks like the active model's training data, or why that
 * cannot be said (a model saved without a training profile, a file with no good rows).
 * Pure: the rows were collected while the file was scored.
 */
export function checkBatchDomain(profile: FeatureProfile | undefined, modelVersion: string, rows: CollectedRows, mapping: FieldMapping): BatchDomainCheck {
  if (profile === undefined) {
    return { available: false, reason: `Model ${modelVersion} carries no profile of its training data, so this file could not be compared with it.` }
  }
  if (profile.features.length !== FEATURE_NAMES.length) {
    return {
      available: false,
      reason: `Model ${modelVersion}'s training profile has ${profile.features.length} features, this console computes ${FEATURE_NAMES.length}: the file could not be compared.`,
    }
  }
  if (rows.count === 0) return { available: false, reason: 'The file has no good rows to compare with the training data.' }
  const mappedFields = (Object.keys(mapping) as MappableField[]).filter((field) => mapping[field] !== undefined)
  return { available: true, ...checkFileDomain(profile, rows.features, FEATURE_NAMES.length, { mappedFields }) }
}
