/** What a training run decided about the version it produced (the server's job report). */
export type TrainingDecision = 'activated' | 'waiting-for-review' | 'not-better' | 'failed'

export interface JobReport {
  decision?: TrainingDecision
  /** Why, in the server's words, when it says. */
  reason?: string
}

export const DECISION_TEXT: Record<TrainingDecision | 'unknown', string> = {
  activated: 'better than the active version, activated automatically',
  'waiting-for-review': 'better than the active version, waiting for your review',
  'not-better': 'not better than the active version; kept, not activated',
  failed: 'evaluation failed; not activated',
  unknown: 'registered, not activated',
}

interface JobLike {
  status: string
  report: unknown
  modelArtifact: { version: string } | null
}

export interface ReviewState {
  kind: 'waiting' | 'not-better'
  text: string
}

/**
 * How a never-activated version stands, from the training run that produced it:
 * "waiting for review" with the reason, or "not better". Null for the active version,
 * one active before, the shipped default, and uploads no run produced.
 */
export function reviewStateOf(
  v: { version: string; isActive: boolean; activatedAt: number | null; shippedDefault?: boolean },
  jobs: readonly JobLike[],
): ReviewState | null {
  if (v.isActive || v.activatedAt !== null || v.shippedDefault === true) return null
  const job = jobs.find((j) => j.modelArtifact?.version === v.version)
  const report = (job?.report ?? null) as JobReport | null
  const reason = typeof report?.reason === 'string' && report.reason !== '' ? `: ${report.reason}` : ''
  if (report?.decision === 'waiting-for-review')
    return { kind: 'waiting', text: `Waiting for review${reason || ': better than the active version on evaluation'}` }
  if (report?.decision === 'not-better') return { kind: 'not-better', text: `Not better than the active version${reason}` }
  return null
}
