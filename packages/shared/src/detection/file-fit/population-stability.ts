import { binShares, type FeatureDistribution } from './feature-profile.ts'

/**
 * Population stability index (PSI) of a file's values against a training
 * distribution, over the training profile's decile bins:
 *   PSI = sum over bins of (file share - training share) * ln(file share / training share)
 * The usual reading in credit scoring, and this product's: below 0.1 the population is
 * stable, 0.1 to 0.25 it has shifted, above 0.25 it is a different population.
 */
export const PSI_SHIFTED = 0.1
export const PSI_UNLIKE = 0.25

/**
 * Floor for an empty bin's share: PSI is infinite otherwise. 1e-4 is the common choice;
 * an empty bin that held a tenth of training then adds about 0.1 * ln(1000) = 0.7.
 */
const EMPTY_SHARE = 1e-4

export function populationStability(training: Pick<FeatureDistribution, 'edges' | 'shares'>, values: Float64Array): number {
  const fileShares = binShares(values, training.edges)
  let psi = 0
  for (let b = 0; b < fileShares.length; b += 1) {
    const p = Math.max(training.shares[b] ?? 0, EMPTY_SHARE)
    const q = Math.max(fileShares[b] as number, EMPTY_SHARE)
    psi += (q - p) * Math.log(q / p)
  }
  return psi
}
