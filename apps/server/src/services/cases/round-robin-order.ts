/**
 * Round-robin's pure part: who takes the next case among the members on duty, and the
 * time stamped on them. Kept apart from the SQL (round-robin.ts) so the order is
 * tested on its own.
 */
export interface RoundRobinCandidate {
  userId: string
  /** Epoch ms of their last round-robin case; null: never had one. */
  lastAssignedAt: number | null
}

/** Who waited longest: never assigned first, then the oldest last assignment; ties by user id, so the order is total. */
export function compareTurn(a: RoundRobinCandidate, b: RoundRobinCandidate): number {
  if (a.lastAssignedAt === null || b.lastAssignedAt === null) {
    if (a.lastAssignedAt !== b.lastAssignedAt) return a.lastAssignedAt === null ? -1 : 1
  } else if (a.lastAssignedAt !== b.lastAssignedAt) {
    return a.lastAssignedAt - b.lastAssignedAt
  }
  return a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0
}

/**
 * The next in turn and the time to stamp on them: `now`, or just after the latest
 * stamp among the candidates when the clock has not moved past it (two picks in one
 * millisecond, or an instance whose clock runs behind). Each pick then lands strictly
 * after every earlier one, and the person picked goes to the back of the line.
 */
export function nextInTurn<C extends RoundRobinCandidate>(candidates: readonly C[], now: number): { pick: C; at: number } | null {
  if (candidates.length === 0) return null
  const pick = [...candidates].sort(compareTurn)[0]!
  const latest = Math.max(...candidates.map((c) => c.lastAssignedAt ?? -Infinity))
  return { pick, at: Math.max(now, latest + 1) }
}
