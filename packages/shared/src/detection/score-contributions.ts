import { sigmoid } from './models/gradient-boosting.ts'
import { isolationScore } from './models/isolation-forest.ts'
import { blendParts, type AnomalyModel } from './models/anomaly-model.ts'
import { pathContributions, predictRaw, type TreeEnsemble } from './models/tree-ensemble.ts'

/** One ensemble's path contributions in its own units: baseline + sum(perFeature) = raw. */
export interface RawContributions {
  baseline: number
  raw: number
  perFeature: Float64Array
}

/**
 * Per-feature contributions to the model's score (0..1), additive:
 * baseline + sum(perFeature) = score, to rounding.
 *
 * Why score units: the supervised trees speak log-odds and the isolation forest path
 * lengths, which cannot be added to each other, while the analyst sees the score.
 * 1. Each ensemble's path contributions are exact in its own units (Saabas: from each
 *    tree's root value to the row's leaf).
 * 2. The score's move from the baseline (both parts at their training average) is split
 *    between the two parts by their Shapley values over the model's blend: the average of
 *    a part's effect with the other part at its baseline and at its value. This is exact
 *    for any blend rule (a weighted mean, or "raise", where the isolation score's effect
 *    depends on the probability) and, for a weighted mean, is simply each part's weighted move.
 * 3. Each part's move is spread over its features in proportion to their raw
 *    contributions, so they keep their signs (a shorter isolation path becomes a push up)
 *    and their order, and still sum exactly to that part's move.
 * The isolation forest's share is thus spread over the features it split on
 * (`isolation`); its total is `isolationMove`.
 */
export interface ScoreContributions {
  /** The score of a row whose every part sits at its training average. */
  baseline: number
  /** The model's score before rules (what baseline + sum(perFeature) reproduces). */
  score: number
  perFeature: Float64Array
  /** The isolation forest's part of each feature's contribution (already in perFeature). */
  isolation: Float64Array
  /** The isolation forest's total push on the score (sum of `isolation`). */
  isolationMove: number
  supervised: RawContributions | null
  isolationRaw: RawContributions
}

export function rawContributions(ensemble: TreeEnsemble, row: ArrayLike<number>, width: number): RawContributions {
  let baseline = ensemble.base
  // pathContributions telescopes from each tree's root value to its leaf value.
  for (const tree of ensemble.trees) baseline += tree.value[0] ?? 0
  return { baseline, raw: predictRaw(ensemble, row), perFeature: pathContributions(ensemble, row, width) }
}

export function scoreContributions(model: AnomalyModel, row: ArrayLike<number>, width: number): ScoreContributions {
  const supervised = model.supervised ? rawContributions(model.supervised, row, width) : null
  const isolationRaw = rawContributions(model.isolation.ensemble, row, width)
  const blend = (isoRaw: number, supRaw: number | null): number => {
    const parts = blendParts(model, isolationScore(model.isolation, isoRaw), supRaw === null ? null : sigmoid(supRaw))
    return parts.supervised + parts.isolation
  }
  const iso0 = isolationRaw.baseline
  const iso1 = isolationRaw.raw
  const sup0 = supervised?.baseline ?? null
  const sup1 = supervised?.raw ?? null
  const baseline = blend(iso0, sup0)
  const score = blend(iso1, sup1)
  const isolationMove = (blend(iso1, sup0) - blend(iso0, sup0) + (score - blend(iso0, sup1))) / 2
  const supervisedMove = score - baseline - isolationMove

  const isolation = spread(isolationRaw, isolationMove, width)
  const perFeature = Float64Array.from(isolation)
  if (supervised) {
    const fromTrees = spread(supervised, supervisedMove, width)
    for (let i = 0; i < width; i += 1) perFeature[i] = (perFeature[i] as number) + (fromTrees[i] as number)
  }
  return { baseline, score, perFeature, isolation, isolationMove, supervised, isolationRaw }
}

/**
 * A part's move in the score, spread over features in proportion to their raw
 * contributions. When the raw contributions cancel out exactly (or the row sits on the
 * baseline), there is no proportion to follow: the move (then ~0) goes to no feature.
 */
function spread(part: RawContributions, move: number, width: number): Float64Array {
  const out = new Float64Array(width)
  const run = part.raw - part.baseline
  if (Math.abs(run) < 1e-12) return out
  const scale = move / run
  for (let i = 0; i < width; i += 1) out[i] = scale * (part.perFeature[i] as number)
  return out
}
