/** What an analyst last decided about a transaction's anomaly, if anything (the anomaly's status, set by its latest label). */
export type Decision = 'CONFIRMED_FRAUD' | 'FALSE_POSITIVE' | null
