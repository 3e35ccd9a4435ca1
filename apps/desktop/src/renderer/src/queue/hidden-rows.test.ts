import { describe, expect, it } from 'vitest'
import { shownIndexOf, snapshotIndexOf, withHidden } from './hidden-rows.ts'

describe('rows decided out of the view', () => {
  it('maps places on screen to snapshot places around the hidden rows, both ways', () => {
    const hidden = withHidden([], [5, 1, 2])
    expect(hidden).toEqual([1, 2, 5])
    // Snapshot rows 0 3 4 6 7 … show as 0 1 2 3 4 …
    expect([0, 1, 2, 3, 4].map((i) => snapshotIndexOf(i, hidden))).toEqual([0, 3, 4, 6, 7])
    for (const s of [0, 3, 4, 6, 7, 40]) expect(snapshotIndexOf(shownIndexOf(s, hidden), hidden)).toBe(s)
  })

  it('brings a row back where it was (undo)', () => {
    const hidden = withHidden([1, 2, 5], [], [2])
    expect(hidden).toEqual([1, 5])
    expect(shownIndexOf(2, hidden)).toBe(1)
    expect(snapshotIndexOf(1, hidden)).toBe(2)
  })
})
