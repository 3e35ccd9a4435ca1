const DAY_MS = 86_400_000

/** One scored transaction, as card precision reads it. */
export interface CardScoredRow {
  /** Epoch milliseconds. */
  timestamp: number
  /** The card (here: the account) the transaction was made with. */
  card: string
  score: number
  fraud: boolean
}

/**
 * Card precision@k as the Fraud Detection Handbook computes it (chapter 4.2), the
 * figure analysts feel: per UTC day, each card's highest score, the top k cards,
 * the share of them with a fraud that day; cards already caught on an earlier day
 * are left out of later days; the mean over days. 0 for no rows.
 */
export function cardPrecisionAtK(rows: readonly CardScoredRow[], k: number): number {
  if (rows.length === 0 || k <= 0) return 0
  const byDay = new Map<number, Map<string, { score: number; fraud: boolean }>>()
  for (const row of rows) {
    const day = Math.floor(row.timestamp / DAY_MS)
    let cards = byDay.get(day)
    if (!cards) byDay.set(day, (cards = new Map()))
    const card = cards.get(row.card)
    if (!card) cards.set(row.card, { score: row.score, fraud: row.fraud })
    else {
      card.score = Math.max(card.score, row.score)
      card.fraud ||= row.fraud
    }
  }
  const caught = new Set<string>()
  let sum = 0
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const top = [...byDay.get(day)!.entries()]
      .filter(([card]) => !caught.has(card))
      .sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0]))
      .slice(0, k)
    const hits = top.filter(([, c]) => c.fraud)
    sum += hits.length / k
    for (const [card] of hits) caught.add(card)
  }
  return sum / byDay.size
}
