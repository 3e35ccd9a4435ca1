import type { LabelKind } from '@anomalyze/shared'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { QueueFilters, QueueQuery, QueueRow, QueueSort } from '../../../contract/queue.ts'
import type { LocalBatch } from '../../../contract/scoring.ts'
import type { EntityRefArgs } from '../../../contract/entity.ts'
import { callCore } from '../api/core-client.ts'
import { findAlertCase } from '../cases/find-alert-case.ts'
import { ShortcutsOverlay } from '../components/ShortcutsOverlay.tsx'
import { useDecisions } from '../hooks/useDecisions.ts'
import { useQueueKeyboard, type QueueAction } from '../hooks/useQueueKeyboard.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { useQueueRows } from '../hooks/useQueueRows.ts'
import { DetailPane, detailQuery, historyQuery } from './DetailPane.tsx'
import { FilterBar } from './FilterBar.tsx'
import { DEFAULT_QUERY } from './first-screen.ts'
import { QueueTable } from './QueueTable.tsx'
import { useQueueQuery } from './useQueueQuery.ts'

const LABEL_FOR: Partial<Record<QueueAction, LabelKind>> = { fraud: 'CONFIRMED_FRAUD', falsePositive: 'FALSE_POSITIVE', review: 'NEEDS_REVIEW' }

export { DEFAULT_QUERY }
const NO_RULES: string[] = []
const NO_BATCHES: LocalBatch[] = []

/** A row to put the cursor on with its detail open (a deep link); each nonce is applied once. */
export interface QueueFocus {
  key: number
  nonce: number
}

/** The triage screen: filters, the virtualized queue, the detail pane and the keyboard. */
export function QueueView({
  query,
  onQuery,
  active,
  focus = null,
  onFocused,
  onOpenEntity,
  onOpenCase,
}: {
  query: QueueQuery
  onQuery: (q: QueueQuery) => void
  active: boolean
  focus?: QueueFocus | null
  onFocused?: () => void
  /** The entity view for an account or merchant (key v). */
  onOpenEntity?: (ref: EntityRefArgs) => void
  /** The Cases view with this case open (key o). */
  onOpenCase?: (id: string) => void
}) {
  const queryClient = useQueryClient()
  const list = useQueueQuery(query)
  const { keys, total } = list
  const [range, setRange] = useState({ first: 0, last: 40 })
  const { getRow } = useQueueRows(list.id, keys, list.firstRows, range.first, range.last)
  const [cursor, setCursor] = useState(0)
  const [detailOpen, setDetailOpen] = useState(false)
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [note, setNote] = useState('')
  const [help, setHelp] = useState(false)
  const [message, setMessage] = useState<string | null>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  const noteRef = useRef<HTMLTextAreaElement>(null)
  const { decide, undo } = useDecisions()
  // Rows of a file scored on this machine never reach the server: anyone may label them.
  // Synced rows follow the role: a viewer reads, and is told why the decide keys are off.
  const decidePermission = usePermission('anomalies:decide')
  const decideReason = query.filters.batchId != null ? null : decidePermission.reason
  // Filter choices wait until the first rows are on screen: the core answers one call
  // at a time, and at 100,000 rows these would hold back the first paint.
  const firstRowsShown = !list.pending && (keys.length === 0 || getRow(0) !== undefined)
  const facets = useQuery({ queryKey: ['facets'], queryFn: () => callCore('queue.facets', {}), enabled: firstRowsShown })
  const batches = useQuery({ queryKey: ['scoring.batches'], queryFn: () => callCore('scoring.batches', {}), enabled: firstRowsShown })
  // Layout effect: marks the commit that put the first rows in the page, before its paint.
  useLayoutEffect(() => {
    if (firstRowsShown && performance.getEntriesByName('anomalyze:first-rows').length === 0) performance.mark('anomalyze:first-rows')
  }, [firstRowsShown])

  // A new list starts at its top with nothing selected.
  useEffect(() => {
    setCursor(0)
    setSelected(new Set())
  }, [list.id])

  // A deep link: once the list for these filters (not the previous one) is in, go to its row.
  const focusDone = useRef<number | null>(null)
  useEffect(() => {
    if (focus === null || focusDone.current === focus.nonce || !list.complete) return
    if (!list.id.startsWith(`${JSON.stringify(query)}@`)) return
    focusDone.current = focus.nonce
    onFocused?.()
    const index = keys.indexOf(focus.key)
    if (index < 0) {
      setMessage('The linked anomaly is not in this list: clear the filters to see it.')
      return
    }
    setCursor(index)
    setDetailOpen(true)
  }, [focus, query, list.id, list.complete, keys, onFocused])

  const current = getRow(Math.min(cursor, Math.max(keys.length - 1, 0)))
  const next = getRow(cursor + 1)
  // Labelling moves on at once: have the next item's detail ready before it is needed.
  useEffect(() => {
    if (next === undefined) return
    void queryClient.prefetchQuery(detailQuery(next.id))
    void queryClient.prefetchQuery(historyQuery(next.accountId))
  }, [next?.id, next?.accountId, next, queryClient])

  const move = useCallback((to: number) => setCursor(Math.max(0, Math.min(to, keys.length - 1))), [keys.length])

  const label = (kind: LabelKind): void => {
    const ids = selected.size > 0 ? [...selected] : current === undefined ? [] : [current.id]
    if (ids.length === 0) return
    if (decideReason !== null) {
      setMessage(decideReason)
      return
    }
    const trimmed = note.trim()
    decide.mutate(
      { anomalyIds: ids, label: kind, local: query.filters.batchId != null, ...(trimmed === '' ? {} : { note: trimmed }) },
      { onError: (error) => setMessage(`Not saved: ${error.message}`) },
    )
    setMessage(`${ids.length === 1 ? 'Labelled' : `Labelled ${ids.length}`} ${kind.replace('_', ' ').toLowerCase()} — u to undo`)
    setNote('')
    if (selected.size > 0) setSelected(new Set())
    else move(cursor + 1)
  }

  const toggle = (row: QueueRow | undefined): void => {
    if (row === undefined) return
    setSelected((old) => {
      const copy = new Set(old)
      if (copy.has(row.id)) copy.delete(row.id)
      else copy.add(row.id)
      return copy
    })
  }

  const openCaseOf = (row: QueueRow | undefined): void => {
    if (row === undefined || onOpenCase === undefined) return
    findAlertCase(row)
      .then((id) => (id === null ? setMessage('This alert is in no case yet (cases come with the next sync)') : onOpenCase(id)))
      .catch((error: unknown) => setMessage(error instanceof Error ? error.message : String(error)))
  }

  const onAction = (action: QueueAction): void => {
    const kind = LABEL_FOR[action]
    if (kind !== undefined) return label(kind)
    switch (action) {
      case 'next':
        return move(cursor + 1)
      case 'previous':
        return move(cursor - 1)
      case 'first':
        return move(0)
      case 'last':
        return move(keys.length - 1)
      case 'open':
        return setDetailOpen(true)
      case 'close':
        return help ? setHelp(false) : setDetailOpen(false)
      case 'toggleSelect':
        return toggle(current)
      case 'search':
        return searchRef.current?.focus()
      case 'help':
        return setHelp((h) => !h)
      case 'note':
        setDetailOpen(true)
        if (decideReason !== null) return setMessage(decideReason)
        requestAnimationFrame(() => noteRef.current?.focus())
        return undefined
      case 'entity':
        return current === undefined ? undefined : onOpenEntity?.({ type: 'ACCOUNT', id: current.accountId })
      case 'case':
        return openCaseOf(current)
      case 'undo':
        return undo.mutate(undefined, {
          onSuccess: (r) => setMessage(r.restored === 0 ? 'Nothing to undo' : `Undone (${r.restored})`),
          onError: (error) => setMessage(error.message),
        })
      default:
        return undefined
    }
  }
  useQueueKeyboard(onAction, active)
  const onVisibleRange = useCallback((first: number, last: number) => setRange({ first, last }), [])
  // Stable while the query stands, so the filter bar skips the re-render of each key press.
  const onFilters = useCallback((filters: QueueFilters) => onQuery({ ...query, filters }), [query, onQuery])
  const onSort = useCallback((sort: QueueSort) => onQuery({ ...query, sort }), [query, onQuery])

  return (
    <section className="queue-view" aria-label="Triage queue">
      <FilterBar
        filters={query.filters}
        sort={query.sort}
        rules={facets.data?.rules ?? NO_RULES}
        batches={batches.data ?? NO_BATCHES}
        searchRef={searchRef}
        onChange={onFilters}
        onSort={onSort}
      />
      <div className="queue-meta">
        <span data-testid="queue-count">{list.pending ? 'Loading…' : `${total.toLocaleString()} ${total === 1 ? 'anomaly' : 'anomalies'}`}</span>
        {selected.size > 0 && (
          <span data-testid="selection-count">
            {selected.size} selected — <kbd>f</kbd>/<kbd>p</kbd>/<kbd>e</kbd> labels them all
            <button type="button" className="link" onClick={() => setSelected(new Set())}>
              clear
            </button>
          </span>
        )}
        {decideReason !== null && (
          <span className="read-only" data-testid="queue-read-only" title={decideReason}>
            Read only
          </span>
        )}
        {message !== null && (
          <span className="toast" role="status" data-testid="toast">
            {message}
          </span>
        )}
        <button type="button" className="link" onClick={() => setHelp(true)}>
          Shortcuts <kbd>?</kbd>
        </button>
      </div>
      {list.error !== null && <p className="error-box">Could not load the queue: {list.error.message}</p>}
      {!list.pending && total === 0 && list.error === null && <p className="empty-box">No anomalies match these filters.</p>}
      <div className={`queue-body ${detailOpen ? 'with-detail' : ''}`}>
        <QueueTable
          count={total}
          cursor={cursor}
          selected={selected}
          getRow={getRow}
          onVisibleRange={onVisibleRange}
          onPick={move}
          onOpen={(i) => {
            move(i)
            setDetailOpen(true)
          }}
          onToggle={toggle}
        />
        {detailOpen && current !== undefined && (
          <DetailPane
            row={current}
            note={note}
            noteRef={noteRef}
            onNote={setNote}
            onDecide={label}
            onClose={() => setDetailOpen(false)}
            decideReason={decideReason}
            onOpenEntity={onOpenEntity}
            onOpenCase={onOpenCase === undefined ? undefined : () => openCaseOf(current)}
            onCaseOpened={onOpenCase}
          />
        )}
      </div>
      {help && <ShortcutsOverlay onClose={() => setHelp(false)} />}
    </section>
  )
}
