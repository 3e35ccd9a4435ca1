/**
 * Ranking metrics for fraud scores, as the Fraud Detection Handbook reports them.
 * Ties are handled by averaging (AUC) or by treating a tied block as one threshold
 * (average precision, like scikit-learn).
 */
function sortedByScore(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i)
  idx.sort((a, b) => (scores[b] as number) - (scores[a] as number))
  return idx
}

export function aucRoc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = sortedByScore(scores).reverse() // ascending
  let positives = 0
  let rankSum = 0
  let i = 0
  while (i < idx.length) {
    let j = i
    while (j + 1 < idx.length && scores[idx[j + 1] as number] === scores[idx[i] as number]) j += 1
    const averageRank = (i + j) / 2 + 1
    for (let k = i; k <= j; k += 1) {
      if (labels[idx[k] as number]) {
        positives += 1
        rankSum += averageRank
      }
    }
    i = j + 1
  }
  const negatives = idx.length - positives
  if (positives === 0 || negatives === 0) return Number.NaN
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = sortedByScore(scores)
  let total = 0
  for (let k = 0; k < labels.length; k += 1) if (labels[k]) total += 1
  if (total === 0) return Number.NaN
  let tp = 0
  let seen = 0
  let ap = 0
  let i = 0
  while (i < idx.length) {
    let j = i
    while (j + 1 < idx.length && scores[idx[j + 1] as number] === scores[idx[i] as number]) j += 1
    let tpBlock = 0
    for (let k = i; k <= j; k += 1) if (labels[idx[k] as number]) tpBlock += 1
    tp += tpBlock
    seen += j - i + 1
    ap += (tpBlock / total) * (tp / seen)
    i = j + 1
  }
  return ap
}

/** Value at quantile q (0..1) of the values, by the nearest-rank method. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort()
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
}
