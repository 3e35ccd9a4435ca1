import type { Severity } from '@anomalyze/shared'

/**
 * The queue's severity badges (styles.css --low ... --critical), so a colour means the
 * same everywhere. Colour is never the only cue: severity charts label each bar.
 */
export const SEVERITY_COLOR: Record<Severity, string> = {
  LOW: '#7c8a99',
  MEDIUM: '#c79100',
  HIGH: '#e0641a',
  CRITICAL: '#c8102e',
}

/**
 * Series that are not severities (currencies, analysts): the Okabe-Ito palette, told
 * apart by people with the common colour-vision deficiencies.
 */
export const SERIES_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'] as const

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length] ?? SERIES_COLORS[0]
}

/** One colour for a single count series (the console's accent blue). */
export const COUNT_COLOR = '#2457d6'
