import type { RuleDefinition, RuleOutcome, TBacktestResult, TBacktestRuleStats } from '@anomalyze/shared'
import { dayIndex, windowDays, type BacktestWindow } from './backtest-window.ts'

/** The set's line in the statistics: a row counts when any of its ACTIVE rules fired. */
export const ALL_RULES = '(all rules)'
/** How many hits the result carries to open in the entity view. */
export const SAMPLE_COUNT = 50

export type Decision = 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE'

/** A transaction inside the window, as the statistics need it (a stored row as the replay reads it fits). */
export interface WindowTransaction {
  /** The Transaction row's id. */
  id: string
  txId: string
  timestamp: number
  amount: number
  accountId: string
  merchantId: string
}

/** What analysts know of a window transaction. */
export interface Known {
  /** The analyst's decision on its alert; null when undecided or not an alert. */
  decision: Decision | null
  /** Whether it is an alert today (an Anomaly row exists: the model or the rules in force raised it). */
  alert: boolean
}

type Sample = TBacktestResult['samples'][number]

interface Counters {
  hits: number
  confirmedFraud: number
  falsePositive: number
  overlapCurrentRules: number
  overlapAlerts: number
}

/**
 * A ratio to 6 decimals: the result is stored as jsonb, whose numbers come back with
 * 15 significant digits, so a full double would not read back as written.
 */
export const ratio = (a: number, b: number): number => Math.round((a / b) * 1e6) / 1e6

const zero = (): Counters => ({ hits: 0, confirmedFraud: 0, falsePositive: 0, overlapCurrentRules: 0, overlapAlerts: 0 })

/**
 * The backtest's statistics, counted one window row at a time (pure: no I/O, memory
 * bounded by the rule count, the window's days and SAMPLE_COUNT, never by rows).
 *
 * - hits: rows the rule fired on (a SHADOW rule's hits too; "(all rules)": rows where
 *   any ACTIVE rule of the tested set fired, which is what would raise alerts);
 * - precision: confirmed fraud over decided hits (fraud + false positive);
 * - recall: confirmed-fraud hits over every transaction of the window decided fraud;
 * - overlapCurrentRules: hits where the set in force fires an ACTIVE rule too;
 * - overlapAlerts: hits that are alerts today;
 * - perDay (UTC days): the tested set's ACTIVE hits against the set in force's.
 */
export class BacktestTally {
  private readonly counters: Counters[]
  private readonly indexOf = new Map<string, number>()
  private readonly draftPerDay: number[]
  private readonly currentPerDay: number[]
  private readonly days: string[]
  /** A ring of the latest hits (rows arrive oldest first). */
  private readonly samples: Sample[] = []
  private nextSample = 0
  private transactions = 0
  private labelledFraud = 0
  private labelledFalsePositive = 0

  constructor(
    private readonly rules: readonly RuleDefinition[],
    private readonly window: BacktestWindow,
  ) {
    rules.forEach((rule, i) => this.indexOf.set(rule.name, i))
    this.counters = Array.from({ length: rules.length + 1 }, zero)
    this.days = windowDays(window)
    this.draftPerDay = this.days.map(() => 0)
    this.currentPerDay = this.days.map(() => 0)
  }

  /** Counts one transaction of the window with what the tested set and the set in force answered for it. */
  add(row: WindowTransaction, known: Known, draft: RuleOutcome, current: RuleOutcome): void {
    this.transactions += 1
    if (known.decision === 'CONFIRMED_FRAUD') this.labelledFraud += 1
    else if (known.decision === 'FALSE_POSITIVE') this.labelledFalsePositive += 1
    const currentFires = current.fired.length > 0
    const day = dayIndex(this.window, row.timestamp)
    if (currentFires) this.currentPerDay[day] = (this.currentPerDay[day] ?? 0) + 1
    if (draft.fired.length === 0 && draft.shadow.length === 0) return

    for (const name of draft.fired) this.count(this.indexOf.get(name), known, currentFires)
    for (const name of draft.shadow) this.count(this.indexOf.get(name), known, currentFires)
    if (draft.fired.length > 0) {
      this.count(this.rules.length, known, currentFires)
      this.draftPerDay[day] = (this.draftPerDay[day] ?? 0) + 1
    }
    this.keepSample(row, known, draft)
  }

  result(extra: { alertBudgetPerDay: number; rulesHash: string }): TBacktestResult {
    const stats = (name: string, mode: TBacktestRuleStats['mode'], c: Counters): TBacktestRuleStats => {
      const decided = c.confirmedFraud + c.falsePositive
      return {
        name,
        mode,
        ...c,
        hitsPerDay: ratio(c.hits, this.window.days),
        precision: decided === 0 ? null : ratio(c.confirmedFraud, decided),
        recall: this.labelledFraud === 0 ? null : ratio(c.confirmedFraud, this.labelledFraud),
      }
    }
    const peakHitsPerDay = Math.max(0, ...this.draftPerDay)
    const ordered = [...this.samples.slice(this.nextSample), ...this.samples.slice(0, this.nextSample)]
    return {
      from: this.window.from,
      to: this.window.to,
      days: this.window.days,
      transactions: this.transactions,
      rules: [
        ...this.rules.map((rule, i) => stats(rule.name, rule.mode, this.counters[i] as Counters)),
        stats(ALL_RULES, 'ACTIVE', this.counters[this.rules.length] as Counters),
      ],
      perDay: this.days.map((day, i) => ({ day, draftHits: this.draftPerDay[i] ?? 0, currentHits: this.currentPerDay[i] ?? 0 })),
      samples: ordered.reverse(),
      labelled: { fraud: this.labelledFraud, falsePositive: this.labelledFalsePositive },
      alertBudgetPerDay: extra.alertBudgetPerDay,
      peakHitsPerDay,
      overBudget: peakHitsPerDay > extra.alertBudgetPerDay,
      rulesHash: extra.rulesHash,
    }
  }

  private count(index: number | undefined, known: Known, currentFires: boolean): void {
    const c = index === undefined ? undefined : this.counters[index]
    if (c === undefined) return
    c.hits += 1
    if (known.decision === 'CONFIRMED_FRAUD') c.confirmedFraud += 1
    else if (known.decision === 'FALSE_POSITIVE') c.falsePositive += 1
    if (currentFires) c.overlapCurrentRules += 1
    if (known.alert) c.overlapAlerts += 1
  }

  private keepSample(row: WindowTransaction, known: Known, draft: RuleOutcome): void {
    const sample: Sample = {
      transactionId: row.id,
      txId: row.txId,
      timestamp: row.timestamp,
      amount: row.amount,
      accountId: row.accountId,
      merchantId: row.merchantId,
      rules: [...draft.fired, ...draft.shadow],
      decision: known.decision,
    }
    if (this.samples.length < SAMPLE_COUNT) {
      this.samples.push(sample)
      return
    }
    // Full: nextSample is the oldest, overwritten by the newest.
    this.samples[this.nextSample] = sample
    this.nextSample = (this.nextSample + 1) % SAMPLE_COUNT
  }
}
