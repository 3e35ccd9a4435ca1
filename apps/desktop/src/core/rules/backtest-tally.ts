import type { RuleDefinition, RuleOutcome, TBacktestResult, TBacktestRuleStats } from '@anomalyze/shared'

/** The set's line in the statistics (as on the server): a row counts when any ACTIVE rule of the tested set fired. */
export const ALL_RULES = '(all rules)'
/** Hits the result carries to open in the entity view, newest first. */
export const SAMPLE_COUNT = 50
/**
 * Longest span of days the per-day chart lists day by day; past it (a file with a
 * stray date years away) only the days that have transactions are listed.
 */
export const MAX_CHART_DAYS = 400

const DAY_MS = 86_400_000

export type Decision = 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE'

/** One evaluated transaction, as the statistics need it. */
export interface TalliedRow {
  /** An alert id, or "<batchId>:<line>" for a row of a scored file. */
  id: string
  txId: string
  timestamp: number
  amount: number
  accountId: string
  merchantId: string
  /** The analyst's decision on it; null when undecided or not an alert. */
  decision: Decision | null
  /** Whether it is an alert today (in the queue: the model or the rules in force raised it). */
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

const zero = (): Counters => ({ hits: 0, confirmedFraud: 0, falsePositive: 0, overlapCurrentRules: 0, overlapAlerts: 0 })

/** A ratio to 6 decimals, as the server reports it. */
export const ratio = (a: number, b: number): number => Math.round((a / b) * 1e6) / 1e6

/**
 * A local backtest's statistics, counted one row at a time in any order (the cache's
 * alerts and the scored files are not one time line). Pure: memory is bounded by the
 * rules, the days and SAMPLE_COUNT, never by rows. Same definitions as the server's:
 *
 * - hits: rows a rule fired on (SHADOW rules too; "(all rules)": rows where any ACTIVE
 *   rule of the tested set fired, which is what would raise alerts);
 * - precision: confirmed fraud over decided hits; recall: confirmed-fraud hits over
 *   every row decided fraud;
 * - overlapCurrentRules: hits where the set in force fires an ACTIVE rule too;
 *   overlapAlerts: hits that are alerts today;
 * - the window: from the first to the last transaction; days: the UTC days it spans;
 *   perDay: ACTIVE hits of the tested set against the set in force per UTC day.
 */
export class LocalBacktestTally {
  private readonly counters: Counters[]
  private readonly indexOf = new Map<string, number>()
  /** UTC day number -> [draft hits, current hits, transactions]. */
  private readonly perDay = new Map<number, [number, number, number]>()
  /** The newest hits, kept sorted newest first. */
  private readonly samples: Sample[] = []
  private transactions = 0
  private labelledFraud = 0
  private labelledFalsePositive = 0
  private from = Number.POSITIVE_INFINITY
  private to = Number.NEGATIVE_INFINITY

  constructor(private readonly rules: readonly RuleDefinition[]) {
    rules.forEach((rule, i) => this.indexOf.set(rule.name, i))
    this.counters = Array.from({ length: rules.length + 1 }, zero)
  }

  /** Counts one row with what the tested set and the set in force answered for it. */
  add(row: TalliedRow, draft: RuleOutcome, current: RuleOutcome): void {
    this.transactions += 1
    if (row.timestamp < this.from) this.from = row.timestamp
    if (row.timestamp > this.to) this.to = row.timestamp
    if (row.decision === 'CONFIRMED_FRAUD') this.labelledFraud += 1
    else if (row.decision === 'FALSE_POSITIVE') this.labelledFalsePositive += 1
    const day = this.day(row.timestamp)
    day[2] += 1
    const currentFires = current.fired.length > 0
    if (currentFires) day[1] += 1
    if (draft.fired.length === 0 && draft.shadow.length === 0) return
    for (const name of draft.fired) this.count(this.indexOf.get(name), row, currentFires)
    for (const name of draft.shadow) this.count(this.indexOf.get(name), row, currentFires)
    if (draft.fired.length > 0) {
      this.count(this.rules.length, row, currentFires)
      day[0] += 1
    }
    this.keepSample(row, draft)
  }

  result(extra: { alertBudgetPerDay: number; rulesHash: string; now: number }): TBacktestResult {
    const empty = this.transactions === 0
    const from = empty ? extra.now : this.from
    const to = empty ? extra.now : this.to
    const days = Math.floor(to / DAY_MS) - Math.floor(from / DAY_MS) + 1
    const stats = (name: string, mode: TBacktestRuleStats['mode'], c: Counters): TBacktestRuleStats => {
      const decided = c.confirmedFraud + c.falsePositive
      return {
        name,
        mode,
        ...c,
        hitsPerDay: ratio(c.hits, days),
        precision: decided === 0 ? null : ratio(c.confirmedFraud, decided),
        recall: this.labelledFraud === 0 ? null : ratio(c.confirmedFraud, this.labelledFraud),
      }
    }
    const perDay = this.chartDays(from, days).map((d) => {
      const [draftHits, currentHits] = this.perDay.get(d) ?? [0, 0, 0]
      return { day: utcDay(d * DAY_MS), draftHits, currentHits }
    })
    let peakHitsPerDay = 0
    for (const [draft] of this.perDay.values()) if (draft > peakHitsPerDay) peakHitsPerDay = draft
    return {
      from,
      to,
      days,
      transactions: this.transactions,
      rules: [
        ...this.rules.map((rule, i) => stats(rule.name, rule.mode, this.counters[i] as Counters)),
        stats(ALL_RULES, 'ACTIVE', this.counters[this.rules.length] as Counters),
      ],
      perDay,
      samples: this.samples.map((s) => ({ ...s, rules: [...s.rules] })),
      labelled: { fraud: this.labelledFraud, falsePositive: this.labelledFalsePositive },
      alertBudgetPerDay: extra.alertBudgetPerDay,
      peakHitsPerDay,
      overBudget: peakHitsPerDay > extra.alertBudgetPerDay,
      rulesHash: extra.rulesHash,
    }
  }

  private day(timestamp: number): [number, number, number] {
    const key = Math.floor(timestamp / DAY_MS)
    let day = this.perDay.get(key)
    if (day === undefined) {
      day = [0, 0, 0]
      this.perDay.set(key, day)
    }
    return day
  }

  private chartDays(from: number, days: number): number[] {
    if (days > MAX_CHART_DAYS) return [...this.perDay.keys()].sort((a, b) => a - b)
    const first = Math.floor(from / DAY_MS)
    return Array.from({ length: days }, (_, i) => first + i)
  }

  private count(index: number | undefined, row: TalliedRow, currentFires: boolean): void {
    const c = index === undefined ? undefined : this.counters[index]
    if (c === undefined) return
    c.hits += 1
    if (row.decision === 'CONFIRMED_FRAUD') c.confirmedFraud += 1
    else if (row.decision === 'FALSE_POSITIVE') c.falsePositive += 1
    if (currentFires) c.overlapCurrentRules += 1
    if (row.alert) c.overlapAlerts += 1
  }

  private keepSample(row: TalliedRow, draft: RuleOutcome): void {
    const full = this.samples.length >= SAMPLE_COUNT
    const oldest = this.samples.at(-1)
    if (full && oldest !== undefined && oldest.timestamp >= row.timestamp) return
    const sample: Sample = {
      transactionId: row.id,
      txId: row.txId,
      timestamp: row.timestamp,
      amount: row.amount,
      accountId: row.accountId,
      merchantId: row.merchantId,
      rules: [...draft.fired, ...draft.shadow],
      decision: row.decision,
    }
    // Sorted insert (newest first; an equal time goes after the ones already kept).
    let at = this.samples.findIndex((s) => s.timestamp < row.timestamp)
    if (at < 0) at = this.samples.length
    this.samples.splice(at, 0, sample)
    if (this.samples.length > SAMPLE_COUNT) this.samples.pop()
  }
}

function utcDay(timestamp: number): string {
  return new Date(timestamp).toISOString().slice(0, 10)
}
