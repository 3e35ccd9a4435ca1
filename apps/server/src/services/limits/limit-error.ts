import { AppError } from '@anomalyze/shared'

export interface LimitDetails {
  limit: 'rate_per_minute' | 'monthly_transactions'
  /** The plan's allowance for the period. */
  allowed: number
  /** Use so far in the period, including this request when it was counted. */
  current: number
  /** When the period ends and the allowance is whole again (ISO 8601, UTC). */
  resetsAt: string
  planId: string
  /** What the caller can do about it, for people reading raw API errors. */
  howToRaise: string
}

const HOW_TO_RAISE = 'Upgrade your plan in the console (Settings > Billing) for a higher allowance.'

/** The one 429 every limit raises: names the limit, the use, the reset time and the way out. */
export function limitExceeded(message: string, details: Omit<LimitDetails, 'howToRaise'>): AppError {
  return new AppError('LIMIT_EXCEEDED', `${message} Resets at ${details.resetsAt}. ${HOW_TO_RAISE}`, {
    ...details,
    howToRaise: HOW_TO_RAISE,
  })
}

export function isLimitExceeded(error: unknown): boolean {
  return error instanceof AppError && error.code === 'LIMIT_EXCEEDED'
}
