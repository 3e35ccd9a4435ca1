import type { KeyboardEvent } from 'react'
import type { BarShapeProps } from 'recharts'

export interface BarPick<Row> {
  /** What activating the bar does, as a screen reader and the tooltip of the focus ring say it. */
  describe: (row: Row) => string
  onPick: (row: Row) => void
}

interface Props<Row> {
  bar: BarShapeProps
  fill: string
  pick: BarPick<Row> | undefined
}

/**
 * One bar (or stack segment). With a pick it is a button: focusable, Enter or Space
 * opens the same thing a click does, so charts work without a mouse. Without one it
 * is a plain rectangle and the pointer stays an arrow.
 */
export function PickableBar<Row>({ bar, fill, pick }: Props<Row>) {
  const { x, y, width, height } = bar
  // Empty bars are not drawn, so there is nothing to focus that leads nowhere.
  if (!(width > 0) || !(Math.abs(height) > 0)) return <g />
  const rect = { x, y: height < 0 ? y + height : y, width, height: Math.abs(height), fill }
  if (pick === undefined) return <rect {...rect} />
  const row = bar.payload as Row
  const label = pick.describe(row)
  const onKeyDown = (event: KeyboardEvent<SVGRectElement>): void => {
    if (event.key !== 'Enter' && event.key !== ' ') return
    event.preventDefault()
    pick.onPick(row)
  }
  return <rect {...rect} className="chart-bar-pick" role="button" tabIndex={0} aria-label={label} onClick={() => pick.onPick(row)} onKeyDown={onKeyDown} />
}
