/**
 * How high card precision@k can go on the handbook's simulated data, so a session can
 * tell a model that misses findable frauds from one that has found all it can.
 *
 * In the simulator's scenario 2 a terminal is compromised for 28 days and every
 * transaction on it is fraud, with ordinary amounts and cards. Until the first of
 * those frauds is older than the label delay, nothing a feature may read tells the
 * terminal apart: such frauds are unseeable, whatever the model.
 */
import { aucRoc } from '../src/detection/metrics.ts'
import { cardPrecisionAtK, type ScoredTx } from './card-precision.ts'

const DAY_MS = 86_400_000
/** TX_FRAUD_SCENARIO of a compromised terminal's frauds. */
export const COMPROMISED_TERMINAL_SCENARIO = 2
const EPISODE_MS = 28 * DAY_MS

export interface SimulatedTx {
  terminal: string
  timestamp: number
  fraud: boolean
  /** The simulator's TX_FRAUD_SCENARIO (0 for genuine). */
  scenario: number
}

/**
 * For each transaction: a fraud of a terminal whose compromise (its earliest
 * scenario-2 fraud within the 28 days before) began less than `delayMs` earlier.
 */
export function unseeableFrauds(txs: readonly SimulatedTx[], delayMs: number): boolean[] {
  const byTerminal = new Map<string, number[]>()
  for (const tx of txs) {
    if (!tx.fraud || tx.scenario !== COMPROMISED_TERMINAL_SCENARIO) continue
    const times = byTerminal.get(tx.terminal) ?? []
    times.push(tx.timestamp)
    byTerminal.set(tx.terminal, times)
  }
  for (const times of byTerminal.values()) times.sort((a, b) => a - b)
  return txs.map((tx) => {
    if (!tx.fraud || tx.scenario !== COMPROMISED_TERMINAL_SCENARIO) return false
    const times = byTerminal.get(tx.terminal) ?? []
    const start = times.find((t) => t > tx.timestamp - EPISODE_MS) ?? tx.timestamp
    return tx.timestamp - start < delayMs
  })
}

/**
 * Card precision@k of two ideal rankings of `rows`: every fraud first (`perfect`), and
 * the frauds not marked unseeable first, then the rest in the model's order
 * (`seeable`, when `unseeable` is given).
 */
export function reachableCardPrecision(rows: readonly ScoredTx[], k: number, unseeable?: readonly boolean[]): { perfect: number; seeable: number | null } {
  // Scores are in 0..1, so +2 puts a row ahead of every other while keeping the model's order among them.
  const lift = (first: (r: ScoredTx, i: number) => boolean): ScoredTx[] => rows.map((r, i) => (first(r, i) ? { ...r, score: r.score + 2 } : r))
  return {
    perfect: cardPrecisionAtK(
      lift((r) => r.fraud),
      k,
    ),
    seeable: unseeable
      ? cardPrecisionAtK(
          lift((r, i) => r.fraud && !unseeable[i]),
          k,
        )
      : null,
  }
}

/**
 * AUC ROC when every fraud a feature can see is ranked first and the rest keep the
 * model's order: the unseeable frauds sit among the genuine rows wherever the model
 * puts them, so they cap what any model reaches.
 */
export function seeableFirstAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, unseeable: readonly boolean[]): number {
  const lifted = Float64Array.from({ length: scores.length }, (_, i) => (scores[i] as number) + (labels[i] === 1 && !unseeable[i] ? 2 : 0))
  return aucRoc(lifted, labels)
}
