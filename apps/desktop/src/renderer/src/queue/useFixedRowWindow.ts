import { useCallback, useLayoutEffect, useState, type RefObject } from 'react'

export interface RowWindow {
  /** First and last row index to render (screen plus overscan); last < first when empty. */
  first: number
  last: number
  totalHeight: number
  /** Scrolls the least needed to show the row (nothing when it is on screen). */
  scrollToIndex: (index: number) => void
}

/**
 * Windowing for rows of one fixed height: which rows are on screen is arithmetic on
 * the scroll offset. @tanstack/react-virtual (used here before) measures every row up
 * front, an array of 100,000 entries built during the queue's first paint, about
 * 100 ms of it in a profile of bench:desktop, for rows whose height never changes.
 */
export function useFixedRowWindow(scrollRef: RefObject<HTMLElement | null>, count: number, rowHeight: number, overscan: number): RowWindow {
  const [view, setView] = useState({ top: 0, height: 0 })
  useLayoutEffect(() => {
    const element = scrollRef.current
    if (element === null) return undefined
    const update = (): void => {
      const next = { top: element.scrollTop, height: element.clientHeight }
      setView((old) => (old.top === next.top && old.height === next.height ? old : next))
    }
    update()
    element.addEventListener('scroll', update, { passive: true })
    const resize = new ResizeObserver(update)
    resize.observe(element)
    return () => {
      element.removeEventListener('scroll', update)
      resize.disconnect()
    }
  }, [scrollRef])

  const scrollToIndex = useCallback(
    (index: number) => {
      const element = scrollRef.current
      if (element === null) return
      const top = index * rowHeight
      if (top < element.scrollTop) element.scrollTop = top
      else if (top + rowHeight > element.scrollTop + element.clientHeight) element.scrollTop = top + rowHeight - element.clientHeight
    },
    [scrollRef, rowHeight],
  )

  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscan)
  const last = Math.min(count - 1, Math.ceil((view.top + view.height) / rowHeight) + overscan)
  return { first, last, totalHeight: count * rowHeight, scrollToIndex }
}
