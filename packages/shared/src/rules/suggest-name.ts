/** Edit distance (insertions, deletions, substitutions), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i]
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] as number
}

/** The candidate closest to `name`, when close enough to be a typo (case ignored), else null. */
export function nearestName(name: string, candidates: Iterable<string>): string | null {
  const names = [...candidates]
  const wanted = name.toLowerCase()
  let best: string | null = null
  let bestDistance = Math.max(1, Math.min(3, Math.floor(name.length / 3)))
  for (const candidate of names) {
    const distance = editDistance(wanted, candidate.toLowerCase())
    if (distance <= bestDistance && (best === null || distance < bestDistance)) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best !== null || wanted.length < 3) return best
  // A name cut short (`vip` for `vip_accounts`) is far in edits but plainly meant.
  const extended = names.filter((c) => c.toLowerCase().startsWith(wanted))
  return extended.length === 1 ? (extended[0] as string) : null
}
