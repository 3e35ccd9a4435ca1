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
  // A bin a small file left empty by chance counts as half a row, not as 1e-4: with 50
  // rows, one empty decile would otherwise add 0.7 on its own.
  const fileFloor = Math.max(EMPTY_SHARE, values.length > 0 ? 0.5 / values.length : EMPTY_SHARE)
  let psi = 0
  for (let b = 0; b < fileShares.length; b += 1) {
    const p = Math.max(training.shares[b] ?? 0, EMPTY_SHARE)
    const q = Math.max(fileShares[b] as number, fileFloor)
    psi += (q - p) * Math.log(q / p)
  }
  return psi
}

/**
 * The PSI that sampling alone gives a file of `rows` rows drawn from the training
 * population itself, 99 times in 100: PSI is about chi-square / rows with one degree of
 * freedom per bin but one, so a 100-row file reads 0.2 by chance where a 100,000-row
 * file reads 0.0002. Subtracted before the thresholds, so a short file is not called
 * shifted for being short. Chi-square quantile by Wilson and Hilferty's approximation.
 */
export function samplingNoise(bins: number, rows: number): number {
  const df = bins - 1
  if (df <= 0 || rows <= 0) return 0
  const z99 = 2.326
  const a = 2 / (9 * df)
  const quantile = df * (1 - a + z99 * Math.sqrt(a)) ** 3
  return quantile / rows
}
