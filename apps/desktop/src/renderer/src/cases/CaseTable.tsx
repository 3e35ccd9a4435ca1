import { memo, useEffect, useRef, type RefObject } from 'react'
import type { CaseListRow } from '../../../contract/cases.ts'
import { useFixedRowWindow } from '../queue/useFixedRowWindow.ts'
import { CASE_STATUS_LABEL, formatDue, formatSpan, SLA_LABEL } from './case-format.ts'

interface Props {
  count: number
  cursor: number
  selected: ReadonlySet<string>
  openId: string | null
  now: number
  getRow: (index: number) => CaseListRow | undefined
  onVisibleRange: (first: number, last: number) => void
  onPick: (index: number) => void
  onOpen: (index: number) => void
  onToggle: (row: CaseListRow) => void
}

const ROW_HEIGHT = 32

/** The case queue: only the rows on screen are in the DOM (the queue's fixed-row window). */
export function CaseTable({ count, cursor, selected, openId, now, getRow, onVisibleRange, onPick, onOpen, onToggle }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const { first, last, totalHeight, scrollToIndex } = useFixedRowWindow(scrollRef, count, ROW_HEIGHT, 15)
  const actions = useRef<RowActions>({ onPick, onOpen, onToggle })
  actions.current = { onPick, onOpen, onToggle }
  useEffect(() => onVisibleRange(first, Math.max(first, last)), [first, last, onVisibleRange])
  useEffect(() => {
    if (count > 0) scrollToIndex(cursor)
  }, [cursor, count, scrollToIndex])
  const indexes: number[] = []
  for (let i = first; i <= last; i += 1) indexes.push(i)
  return (
    <div className="queue-table case-table" role="grid" aria-rowcount={count} aria-label="Case queue">
      <div className="case-header" role="row">
        <span role="columnheader" />
        <span role="columnheader">Entity</span>
        <span role="columnheader">Priority</span>
        <span role="columnheader">Status</span>
        <span role="columnheader">Assignee</span>
        <span role="columnheader">Due</span>
        <span role="columnheader" className="num" title="Alerts still open / all alerts of the case">
          Open/all
        </span>
        <span role="columnheader" className="num">
          Age
        </span>
      </div>
      <div ref={scrollRef} className="queue-scroll" data-testid="case-scroll">
        <div style={{ height: totalHeight, position: 'relative' }}>
          {indexes.map((index) => {
            const row = getRow(index)
            return (
              <CaseRowView
                key={index}
                index={index}
                row={row}
                now={now}
                isCursor={index === cursor}
                isOpen={row !== undefined && row.id === openId}
                checked={row !== undefined && selected.has(row.id)}
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

/** One case line, re-rendered only when its own data, cursor or check mark changes. */
const CaseRowView = memo(function CaseRowView({
  index,
  row,
  now,
  isCursor,
  isOpen,
  checked,
  actions,
}: {
  index: number
  row: CaseListRow | undefined
  now: number
  isCursor: boolean
  isOpen: boolean
  checked: boolean
  actions: RefObject<RowActions>
}) {
  const closed = row !== undefined && (row.status === 'CLOSED_FRAUD' || row.status === 'CLOSED_LEGITIMATE')
  const classes = ['queue-row', 'case-row', isCursor ? 'is-cursor' : '', isOpen ? 'is-open' : '', closed ? 'is-decided' : '']
  return (
    <div
      role="row"
      aria-rowindex={index + 1}
      aria-selected={isCursor}
      data-case-id={row?.id}
      data-testid="case-row"
      className={classes.join(' ')}
      style={{ transform: `translateY(${index * ROW_HEIGHT}px)`, height: ROW_HEIGHT }}
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
              aria-label={`Select case ${row.entityId}`}
              checked={checked}
              onChange={() => actions.current.onToggle(row)}
              onClick={(e) => e.stopPropagation()}
            />
          </span>
          <span role="gridcell" title={`${row.entityType === 'ACCOUNT' ? 'Account' : 'Merchant'} ${row.entityId}`}>
            <span className="entity-kind">{row.entityType === 'ACCOUNT' ? 'acct' : 'merch'}</span> {row.entityId}
          </span>
          <span role="gridcell">
            <span className={`badge sev-${row.priority}`}>{row.priority}</span>
          </span>
          <span role="gridcell" data-testid="case-row-status">
            {CASE_STATUS_LABEL[row.status]}
            {row.pending && (
              <span className="pending-dot" title="Not synced yet">
                {' '}
                •
              </span>
            )}
          </span>
          <span role="gridcell" data-testid="case-row-assignee">
            {row.assignee?.name ?? <span className="muted">Unassigned</span>}
          </span>
          <span role="gridcell">
            {formatDue(row.dueAt, now)} {row.sla !== 'none' && row.sla !== 'ok' && <span className={`sla-badge sla-${row.sla}`}>{SLA_LABEL[row.sla]}</span>}
          </span>
          <span role="gridcell" className="num">
            {row.openAlertCount}/{row.alertCount}
          </span>
          <span role="gridcell" className="num">
            {formatSpan(now - row.createdAt)}
          </span>
        </>
      )}
    </div>
  )
})
