import { memo, useEffect, useRef, type RefObject } from 'react'
import type { MovedDirection, QueueRow } from '../../../contract/queue.ts'
import { formatAmount, formatTime, STATUS_LABEL } from '../format.ts'
import { useFixedRowWindow } from './useFixedRowWindow.ts'

interface Props {
  count: number
  cursor: number
  /** Selected rows by anomaly id. */
  selected: ReadonlyMap<string, number>
  /** Every row of the view is selected (select-all). */
  allSelected: boolean
  onToggleAll: () => void
  getRow: (index: number) => QueueRow | undefined
  onVisibleRange: (first: number, last: number) => void
  onPick: (index: number) => void
  onOpen: (index: number) => void
  onToggle: (row: QueueRow, index: number) => void
}

const ROW_HEIGHT = 32

/** Only the rows on screen exist in the DOM; the scroll height stands for the rest. */
export function QueueTable({ count, cursor, selected, allSelected, onToggleAll, getRow, onVisibleRange, onPick, onOpen, onToggle }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const { first, last, totalHeight, scrollToIndex } = useFixedRowWindow(scrollRef, count, ROW_HEIGHT, 15)
  const actions = useRef<RowActions>({ onPick, onOpen, onToggle })
  actions.current = { onPick, onOpen, onToggle }
  const indexes: number[] = []
  for (let i = first; i <= last; i += 1) indexes.push(i)

  useEffect(() => onVisibleRange(first, Math.max(first, last)), [first, last, onVisibleRange])
  useEffect(() => {
    if (count > 0) scrollToIndex(cursor)
  }, [cursor, count, scrollToIndex])

  return (
    <div className="queue-table" role="grid" aria-rowcount={count} aria-label="Anomaly queue">
      <div className="queue-header" role="row">
        <span role="columnheader">
          <input type="checkbox" aria-label="Select every row in this view (Ctrl/⌘+A)" checked={allSelected} onChange={onToggleAll} disabled={count === 0} />
        </span>
        <span role="columnheader">Severity</span>
        <span role="columnheader">Score</span>
        <span role="columnheader">Time (UTC)</span>
        <span role="columnheader" className="num">
          Amount
        </span>
        <span role="columnheader">Account</span>
        <span role="columnheader">Merchant</span>
        <span role="columnheader">Rules</span>
        <span role="columnheader">Status</span>
      </div>
      <div ref={scrollRef} className="queue-scroll" data-testid="queue-scroll">
        <div style={{ height: totalHeight, position: 'relative' }}>
          {indexes.map((index) => {
            const row = getRow(index)
            return (
              <QueueRowView
                // By id: when a decided row leaves the view the rows below keep their DOM and only move up.
                key={row?.id ?? `slot-${index}`}
                index={index}
                start={index * ROW_HEIGHT}
                row={row}
                isCursor={index === cursor}
                checked={row !== undefined && (allSelected || selected.has(row.id))}
                actions={actions}
              />
            )
          })}
        </div>
      </div>
    </div>
  )
}

type RowActions = Pick<Props, 'onPick' | 'onOpen' | 'onToggle'>

/**
 * One row, re-rendered only when its own data, place, cursor or check mark changes:
 * a key press repaints two rows, not the sixty on screen. The handlers come through a
 * ref, so new callbacks from the parent do not count as a change.
 */
const QueueRowView = memo(function QueueRowView({
  index,
  start,
  row,
  isCursor,
  checked,
  actions,
}: {
  index: number
  start: number
  row: QueueRow | undefined
  isCursor: boolean
  checked: boolean
  actions: RefObject<RowActions>
}) {
  const classes = ['queue-row', isCursor ? 'is-cursor' : '', row !== undefined && row.status !== 'OPEN' ? 'is-decided' : '']
  return (
    <div
      role="row"
      aria-rowindex={index + 1}
      aria-selected={isCursor}
      data-anomaly-id={row?.id}
      className={classes.join(' ')}
      style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT }}
      onClick={() => actions.current.onPick(index)}
      onDoubleClick={() => actions.current.onOpen(index)}
    >
      {row === undefined ? (
        <span className="row-loading">Loading…</span>
      ) : (
        <>
          <span role="gridcell">
            <input
              type="checkbox"
              aria-label={`Select ${row.txId}`}
              checked={checked}
              onChange={() => actions.current.onToggle(row, index)}
              onClick={(e) => e.stopPropagation()}
            />
          </span>
          <span role="gridcell">
            <span className={`badge sev-${row.severity}`}>{row.severity}</span>
            {row.moved !== null && <MovedMarker moved={row.moved} />}
          </span>
          <span role="gridcell" className="num">
            {row.score.toFixed(3)}
          </span>
          <span role="gridcell">{formatTime(row.timestamp)}</span>
          <span role="gridcell" className="num">
            {formatAmount(row.amount, row.currency)}
          </span>
          <span role="gridcell" className="id-cell" title={row.accountId}>
            {row.accountId}
          </span>
          <span role="gridcell" className="id-cell" title={row.merchantId}>
            {row.merchantId}
          </span>
          <RulesCell rules={row.rules} />
          <span role="gridcell" data-testid="row-status">
            {STATUS_LABEL[row.status]}
            {row.pending && (
              <span className="pending-dot" title="Not synced yet">
                {' '}
                •
              </span>
            )}
          </span>
        </>
      )}
    </div>
  )
})

/** The first rule and how many more ("+2"); all of them on hover and in the detail pane. */
function RulesCell({ rules }: { rules: string[] }) {
  const [first, ...more] = rules
  return (
    <span role="gridcell" className="rules rules-cell" title={rules.join(', ')}>
      {first === undefined ? '—' : <span className="rule-first">{first}</span>}
      {more.length > 0 && <span className="rule-more">+{more.length}</span>}
    </span>
  )
}

const MOVED_MARK: Record<MovedDirection, { mark: string; title: string }> = {
  up: { mark: '▲', title: 'Severity went up with the last model change' },
  down: { mark: '▼', title: 'Severity went down with the last model change' },
  dropped: { mark: '▽', title: 'Dropped below the alert threshold with the last model change' },
}

/** Marks a row the last model change moved (see the status bar's summary). */
export function MovedMarker({ moved }: { moved: MovedDirection }) {
  const { mark, title } = MOVED_MARK[moved]
  return (
    <span className={`moved-mark moved-${moved}`} title={title} aria-label={title} data-testid="moved-mark">
      {mark}
    </span>
  )
}
