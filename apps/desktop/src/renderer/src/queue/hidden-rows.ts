/**
 * Rows decided out of the view (an Open view's fraud or false positive) leave the list
 * the analyst sees, while the snapshot of keys, and the pages of rows cached by their
 * place in it, stay as they are. These map between a row's place on screen ("shown")
 * and its place in the snapshot; `hidden` holds snapshot places, ascending. A few
 * hundred decisions a session keep each lookup a short loop.
 */
export function snapshotIndexOf(shown: number, hidden: readonly number[]): number {
  let index = shown
  for (const h of hidden) {
    if (h > index) break
    index += 1
  }
  return index
}

/** Where a snapshot row shows (the rows hidden above it move it up). */
export function shownIndexOf(snapshotIndex: number, hidden: readonly number[]): number {
  let above = 0
  for (const h of hidden) {
    if (h >= snapshotIndex) break
    above += 1
  }
  return snapshotIndex - above
}

/** The hidden places with some added or removed, ascending and without repeats. */
export function withHidden(hidden: readonly number[], add: readonly number[], remove: readonly number[] = []): number[] {
  const gone = new Set(remove)
  return [...new Set([...hidden, ...add])].filter((h) => !gone.has(h)).sort((a, b) => a - b)
}
