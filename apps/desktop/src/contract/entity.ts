import type { CaseEntityType, TEntityProfile, TEntityTransaction, TEntityTransactionsInput } from '@anomalyze/shared'

/**
 * The entity view: an account's (or merchant's) transactions from the server, its usual
 * behaviour and linked entities. What was fetched is cached in SQLite and read from
 * there when the server cannot be reached.
 */
export interface EntityRefArgs {
  type: CaseEntityType
  id: string
}

export interface EntityView {
  profile: TEntityProfile | null
  /** When the profile was fetched (epoch ms); null when never. */
  fetchedAt: number | null
  /** True when the server could not be reached and this is what the cache holds. */
  offline: boolean
}

export type EntityTransactionsArgs = Omit<TEntityTransactionsInput, 'limit'> & { limit?: number }

export interface EntityTransactionsPage {
  items: TEntityTransaction[]
  nextCursor: string | null
  total: number
  fetchedAt: number | null
  offline: boolean
}

/** One point of the entity's chart: a transaction's amount and score over time, alerts marked. */
export interface EntityChartPoint {
  timestamp: number
  amount: number
  score: number | null
  alert: boolean
}
