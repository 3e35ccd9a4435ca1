/**
 * Card precision@k as the Fraud Detection Handbook computes it (chapter 4.2): per test
 * day, each card's highest score, the top k cards, the share of them that had fraud
 * that day; cards found on earlier days are left out of later days; mean over days.
 */
export interface ScoredTx {
  day: number
  card: string
  score: number
  fraud: boolean
}

export function cardPrecisionAtK(rows: readonly ScoredTx[], k: number): number {
  const days = [...new Set(rows.map((r) => r.day))].sort((a, b) => a - b)
  const detected = new Set<string>()
  const perDay: number[] = []
  for (const day of days) {
    const cards = new Map<string, { score: number; fraud: boolean }>()
    for (const r of rows) {
      if (r.day !== day || detected.has(r.card)) continue
      const c = cards.get(r.card)
      if (!c) cards.set(r.card, { score: r.score, fraud: r.fraud })
      else {
        c.score = Math.max(c.score, r.score)
        c.fraud ||= r.fraud
      }
    }
    const top = [...cards.entries()].sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0])).slice(0, k)
    const hits = top.filter(([, c]) => c.fraud)
    perDay.push(hits.length / k)
    for (const [card] of hits) detected.add(card)
  }
  return perDay.reduce((a, b) => a + b, 0) / Math.max(perDay.length, 1)
}
