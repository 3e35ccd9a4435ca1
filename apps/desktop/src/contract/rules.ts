import type { ListKind, RuleDefinition, RuleError, TBacktestResult } from '@anomalyze/shared'

/**
 * Rules on the desktop. Drafting, publishing, lists and server backtests are online
 * screens: the renderer calls the server's `rules`, `lists` and `ruleBacktests`
 * procedures through 'server.call'. What the console does itself, offline too:
 * - keeps the rule set in force and its lists (synced with the server's
 *   `rules.inForce`), which file scoring evaluates exactly as ingestion does;
 * - checks a rule's text as the analyst types (against the synced list names);
 * - backtests a draft set over its own cache (the synced alerts) and scored files.
 */

export interface LocalRuleSet {
  /** 0: the built-in default set (never synced, or the organisation never published). */
  version: number
  rules: RuleDefinition[]
  lists: { name: string; kind: ListKind; field: string; entryCount: number }[]
  /** When it was last fetched from the server (epoch ms); null: never (the default set). */
  syncedAt: number | null
}

export interface RuleCheckArgs {
  expression: string
}

export type RuleCheckResult = RuleError[]

export interface LocalBacktestArgs {
  /** The whole draft set to test, in order. */
  rules: RuleDefinition[]
  /** Scored files to include (default: all of them). */
  batchIds?: string[]
}

/** Where a local backtest's transactions came from. */
export interface LocalBacktestSources {
  /** Alerts synced from the server (their feature rows are cached with them). */
  cachedAlerts: number
  /** Scored files replayed through the feature engine, in file order. */
  files: { batchId: string; name: string; rows: number }[]
}

export interface LocalBacktestJob {
  jobId: string
  status: 'running' | 'done' | 'failed'
  /** Rows evaluated so far, of `total` (known once the files are counted). */
  processed: number
  total: number
  /** Same figures as a server backtest; transactionId is an alert id or "<batchId>:<line>". */
  result: (TBacktestResult & { sources: LocalBacktestSources }) | null
  error: string | null
}
