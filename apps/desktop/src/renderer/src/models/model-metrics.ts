/**
 * The figures an analyst compares two model versions on, read from what the server
 * sends (a version's registered `metrics`, or a preview's `comparison`). The server's
 * metrics are an open record that older versions fill differently, so every field is
 * read defensively: a figure the version never had is null, shown as "–".
 */
export interface ModelFigures {
  averagePrecision: number | null
  aucRoc: number | null
  cardPrecisionAtK: number | null
  alertsPerDay: number | null
}

export interface AlertVolume {
  currentPerDay: number | null
  candidatePerDay: number | null
  budgetPerDay: number | null
  /** Set by the server when the candidate raises alert volume by more than 20%. */
  warning: string | null
}

export interface Comparison {
  current: ModelFigures & { version: string }
  candidate: ModelFigures & { version: string }
  alertVolume: AlertVolume | null
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const record = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null

export function alertVolumeOf(value: unknown): AlertVolume | null {
  const v = record(value)
  if (v === null) return null
  return {
    currentPerDay: num(v.currentPerDay),
    candidatePerDay: num(v.candidatePerDay),
    budgetPerDay: num(v.budgetPerDay),
    warning: typeof v.warning === 'string' && v.warning !== '' ? v.warning : null,
  }
}

/** A registered version's own figures (its evaluation when it was trained, or its manifest's). */
export function figuresOf(metrics: Record<string, unknown>): ModelFigures {
  return {
    averagePrecision: num(metrics.averagePrecision) ?? num(metrics.holdoutAveragePrecision),
    aucRoc: num(metrics.aucRoc) ?? num(metrics.holdoutAucRoc),
    cardPrecisionAtK: num(metrics.cardPrecisionAtK),
    alertsPerDay: alertVolumeOf(metrics.alertVolume)?.candidatePerDay ?? null,
  }
}

function sideOf(value: unknown): (ModelFigures & { version: string }) | null {
  const v = record(value)
  if (v === null || typeof v.version !== 'string') return null
  return {
    version: v.version,
    averagePrecision: num(v.averagePrecision),
    aucRoc: num(v.aucRoc),
    cardPrecisionAtK: num(v.cardPrecisionAtK),
    alertsPerDay: num(v.alertsPerDay),
  }
}

/** The preview's side-by-side figures, or null when the server sent none. */
export function comparisonOf(preview: unknown): Comparison | null {
  const c = record(record(preview)?.comparison)
  if (c === null) return null
  const current = sideOf(c.current)
  const candidate = sideOf(c.candidate)
  if (current === null || candidate === null) return null
  return { current, candidate, alertVolume: alertVolumeOf(c.alertVolume) }
}

/** Rows of the side-by-side table: label, field, digits, and whether higher is better. */
export const FIGURE_ROWS: { key: keyof ModelFigures; label: string; digits: number; higherIsBetter: boolean }[] = [
  { key: 'averagePrecision', label: 'Average precision', digits: 3, higherIsBetter: true },
  { key: 'aucRoc', label: 'AUC ROC', digits: 3, higherIsBetter: true },
  { key: 'cardPrecisionAtK', label: 'Card precision@k', digits: 3, higherIsBetter: true },
  { key: 'alertsPerDay', label: 'Alerts per day', digits: 1, higherIsBetter: false },
]

export function formatFigure(value: number | null, digits: number): string {
  return value === null ? '–' : value.toFixed(digits)
}

/** 'better' / 'worse' for the candidate's figure against the active one's, or null when either is missing or equal. */
export function verdict(active: number | null, candidate: number | null, higherIsBetter: boolean): 'better' | 'worse' | null {
  if (active === null || candidate === null || active === candidate) return null
  return candidate > active === higherIsBetter ? 'better' : 'worse'
}

export interface FigureRow {
  active: number | null
  candidate: number | null
  /** 'recent': both measured on the org's recent transactions; 'registered': each version's own evaluation. */
  source: 'recent' | 'registered'
}

/**
 * One row per figure, both sides always from the same source so a "better"/"worse"
 * compares like with like: the preview's measurement on recent transactions when it
 * has the figure for both versions, otherwise each version's registered evaluation
 * (recent transactions with no analyst decisions give no precision, for example).
 */
export function figureRows(comparison: Comparison | null, active: ModelFigures, candidate: ModelFigures): Record<keyof ModelFigures, FigureRow> {
  const rows = {} as Record<keyof ModelFigures, FigureRow>
  for (const { key } of FIGURE_ROWS) {
    const recentActive = comparison?.current[key] ?? null
    const recentCandidate = comparison?.candidate[key] ?? null
    rows[key] =
      recentActive !== null && recentCandidate !== null
        ? { active: recentActive, candidate: recentCandidate, source: 'recent' }
        : { active: active[key], candidate: candidate[key], source: 'registered' }
  }
  return rows
}
