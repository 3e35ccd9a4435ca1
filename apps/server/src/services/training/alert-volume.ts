const DAY_MS = 86_400_000

/** More alerts than this share above the current model's volume gets a warning. */
export const ALERT_VOLUME_WARNING_RATIO = 1.2

export interface AlertVolume {
  currentPerDay: number
  candidatePerDay: number
  /** candidatePerDay / currentPerDay; null when the current model raises none. */
  changeRatio: number | null
  /** The organisation's alerts a day (Organization.alertBudgetPerDay). */
  budgetPerDay: number
  /** A sentence for the reviewer when the candidate raises the volume by more than 20%; else null. */
  warning: string | null
}

/** Distinct UTC days the timestamps fall on (at least 1, so a rate is always defined). */
export function daysSpanned(timestamps: Iterable<number>): number {
  const days = new Set<number>()
  for (const t of timestamps) days.add(Math.floor(t / DAY_MS))
  return Math.max(1, days.size)
}

/** Scores at or above the threshold, per day of the window. */
export function alertsPerDay(scores: ArrayLike<number>, threshold: number, days: number): number {
  let alerts = 0
  for (let i = 0; i < scores.length; i += 1) if ((scores[i] ?? 0) >= threshold) alerts += 1
  return alerts / Math.max(1, days)
}

const round1 = (n: number): string => (Math.round(n * 10) / 10).toString()

/**
 * The alert volume each model would raise (each at its own medium threshold, as the
 * queue would) against the organisation's budget, and a warning when the candidate
 * would raise it by more than 20%: more alerts a day is work the team has to absorb.
 */
export function compareAlertVolume(currentPerDay: number, candidatePerDay: number, budgetPerDay: number): AlertVolume {
  const changeRatio = currentPerDay > 0 ? candidatePerDay / currentPerDay : null
  const raises = changeRatio === null ? candidatePerDay > 0 : changeRatio > ALERT_VOLUME_WARNING_RATIO
  let warning: string | null = null
  if (raises) {
    const change = changeRatio === null ? 'none now' : `+${Math.round((changeRatio - 1) * 100)}%`
    const budget = candidatePerDay > budgetPerDay ? `, over the team's budget of ${budgetPerDay} a day` : `, within the team's budget of ${budgetPerDay} a day`
    warning = `This version would raise ${round1(candidatePerDay)} alerts a day against ${round1(currentPerDay)} now (${change})${budget}.`
  }
  return { currentPerDay, candidatePerDay, changeRatio, budgetPerDay, warning }
}
