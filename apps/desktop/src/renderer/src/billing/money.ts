/** Paise to "₹4,999.00" (Indian digit grouping); other currencies by their code. */
export function formatMinor(amountMinor: number, currency: string): string {
  return new Intl.NumberFormat('en-IN', { style: 'currency', currency, minimumFractionDigits: 2 }).format(amountMinor / 100)
}

/** Share of a quota used, capped for the meter (the number itself is shown uncapped). */
export function quotaPercent(used: number, quota: number): number {
  if (quota <= 0) return 100
  return Math.min(100, Math.round((used / quota) * 100))
}
