/** State of on-device CSV scoring, as the renderer sees it. */
export interface ScoringAvailability {
  available: boolean
  /** Why not, when not available (e.g. the detection engine is not wired yet). */
  reason: string | null
}
