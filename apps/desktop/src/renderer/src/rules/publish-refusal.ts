/** Why a publish needs the admin's confirmation, from the server's CONFLICT details. */
export interface PublishWarning {
  reason: 'over_budget' | 'not_backtested'
  text: string
}

/**
 * Words a publish refusal (CONFLICT, details { reason, peakHitsPerDay, alertBudgetPerDay }):
 * the figure that made the server ask. Null for any other refusal, which is shown as is.
 */
export function publishWarning(code: string, details: Record<string, unknown>): PublishWarning | null {
  if (code !== 'CONFLICT') return null
  const reason = details['reason']
  const budget = figure(details['alertBudgetPerDay'])
  if (reason === 'over_budget') {
    const peak = figure(details['peakHitsPerDay'])
    return {
      reason,
      text: `Its backtest raised up to ${peak} alert${peak === '1' ? '' : 's'} a day; the organisation's budget is ${budget}.`,
    }
  }
  if (reason === 'not_backtested') {
    return { reason, text: `These drafts were never backtested as they stand, so nobody knows how many alerts they raise (the budget is ${budget} a day).` }
  }
  return null
}

function figure(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en') : '?'
}
