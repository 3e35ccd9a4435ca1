import { statusForLabel, type LabelKind } from '@anomalyze/shared'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { QueueFilters, QueueQuery, QueueRow, QueueSort } from '../../../contract/queue.ts'
import type { LocalBatch } from '../../../contract/scoring.ts'
import type { EntityRefArgs } from '../../../contract/entity.ts'
import { callCore } from '../api/core-client.ts'
import { findAlertCase } from '../cases/find-alert-case.ts'
import { STATUS_LABEL } from '../format.ts'
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
import { useQueueProgress } from './useQueueProgress.ts'
import { shownIndexOf, snapshotIndexOf, withHidden } from './hidden-rows.ts'
import { copyAlertIds } from './copy-ids.ts'

const LABEL_FOR: Partial<Record<QueueAction, LabelKind>> = { fraud: 'CONFIRMED_FRAUD', falsePositive: 'FALSE_POSITIVE', review: 'NEEDS_REVIEW' }

export { DEFAULT_QUERY }
const NO_RULES: string[] = []
const NO_BATCHES: LocalBatch[] = []
const NO_HIDDEN: readonly number[] = []
/** Bulk decisions on more alerts than this ask first. */
export const BULK_CONFIRM_OVER = 50
/** The most alerts one decision takes (the core's decision.record limit). */
const MAX_BULK = 10_000
const ROWS_PER_CALL = 1_000

/** Selected rows: anomaly id -> place in the snapshot. */
type Selection = ReadonlyMap<string, number>
const NO_SELECTION: Selection = new Map()

/** A decision whose status no longer matches the view's status filter takes the row out of the list. */
function leavesView(statuses: QueueFilters['statuses'], kind: LabelKind): boolean {
  return statuses !== undefined && statuses.length > 0 && !statuses.includes(statusForLabel(kind))
}

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
  const { keys } = list
  // Snapshot places of rows decided out of this view, ascending (see hidden-rows.ts).
  const [hidden, setHidden] = useState<readonly number[]>(NO_HIDDEN)
  const hiddenRef = useRef(hidden)
  hiddenRef.current = hidden
  // Rows decided in this list, by anomaly id: where undo puts them back and the cursor.
  const decidedPlaces = useRef(new Map<string, number>())
  const count = Math.max(keys.length - hidden.length, 0)
  const [range, setRange] = useState({ first: 0, last: 40 })
  const { getRow: getSnapshotRow } = useQueueRows(list.id, keys, list.firstRows, snapshotIndexOf(range.first, hidden), snapshotIndexOf(range.last, hidden))
  const getRow = useCallback((index: number) => getSnapshotRow(snapshotIndexOf(index, hidden)), [getSnapshotRow, hidden])
  const [cursor, setCursor] = useState(0)
  const [detailOpen, setDetailOpen] = useState(false)
  const [selected, setSelected] = useState<Selection>(NO_SELECTION)
  const [allSelected, setAllSelected] = useState(false)
  const [confirm, setConfirm] = useState<{ kind: LabelKind; places: Selection } | null>(null)
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
  const progress = useQueueProgress(query.filters, firstRowsShown)
  // Layout effect: marks the commit that put the first rows in the page, before its paint.
  useLayoutEffect(() => {
    if (firstRowsShown && performance.getEntriesByName('anomalyze:first-rows').length === 0) performance.mark('anomalyze:first-rows')
  }, [firstRowsShown])

  // A new list starts at its top with nothing selected; it no longer holds decided rows.
  useEffect(() => {
    setCursor(0)
    setSelected(NO_SELECTION)
    setAllSelected(false)
    setConfirm(null)
    setHidden(NO_HIDDEN)
    decidedPlaces.current.clear()
  }, [list.id])

  // The last row left the list: the cursor stays on the new last one.
  useEffect(() => {
    if (cursor > count - 1 && count > 0) setCursor(count - 1)
  }, [cursor, count])

  // A deep link: once the list for these filters (not the previous one) is in, go to its row.
  const focusDone = useRef<number | null>(null)
  useEffect(() => {
    if (focus === null || focusDone.current === focus.nonce || !list.complete) return
    if (!list.id.startsWith(`${JSON.stringify(query)}@`)) return
    focusDone.current = focus.nonce
    onFocused?.()
    const place = keys.indexOf(focus.key)
    const index = place < 0 || hiddenRef.current.includes(place) ? -1 : shownIndexOf(place, hiddenRef.current)
    if (index < 0) {
      setMessage('The linked anomaly is not in this list: clear the filters to see it.')
      return
    }
    setCursor(index)
    setDetailOpen(true)
  }, [focus, query, list.id, list.complete, keys, onFocused])

  const current = getRow(Math.min(cursor, Math.max(count - 1, 0)))
  const next = getRow(cursor + 1)
  // Labelling moves on at once: have the next item's detail ready before it is needed.
  useEffect(() => {
    if (next === undefined) return
    void queryClient.prefetchQuery(detailQuery(next.id))
    void queryClient.prefetchQuery(historyQuery(next.accountId))
  }, [next?.id, next?.accountId, next, queryClient])

  const move = useCallback((to: number) => setCursor(Math.max(0, Math.min(to, count - 1))), [count])

  /** Every row of the view (select-all), with ids asked of the core a page at a time. */
  const allRowsOfView = async (): Promise<Selection> => {
    const places: number[] = []
    const gone = new Set(hidden)
    for (let i = 0; i < keys.length && places.length < MAX_BULK; i += 1) if (!gone.has(i)) places.push(i)
    const out = new Map<string, number>()
    for (let start = 0; start < places.length; start += ROWS_PER_CALL) {
      const chunk = places.slice(start, start + ROWS_PER_CALL)
      const rows = await callCore('queue.rows', { keys: chunk.map((i) => keys[i] ?? -1) })
      const placeOf = new Map(chunk.map((i) => [keys[i], i]))
      for (const row of rows) out.set(row.id, placeOf.get(row.key) ?? -1)
    }
    return out
  }

  const label = (kind: LabelKind): void => {
    if (decideReason !== null) {
      setMessage(decideReason)
      return
    }
    if (allSelected) {
      if (count > BULK_CONFIRM_OVER) return setConfirm({ kind, places: NO_SELECTION })
      void allRowsOfView()
        .then((places) => commit(kind, places))
        .catch((error: unknown) => setMessage(`Not saved: ${error instanceof Error ? error.message : String(error)}`))
      return
    }
    const places: Selection = selected.size > 0 ? selected : current === undefined ? NO_SELECTION : new Map([[current.id, snapshotIndexOf(cursor, hidden)]])
    if (places.size === 0) return
    if (places.size > BULK_CONFIRM_OVER) return setConfirm({ kind, places })
    commit(kind, places)
  }

  const confirmBulk = (): void => {
    if (confirm === null) return
    setConfirm(null)
    if (confirm.places.size > 0) return commit(confirm.kind, confirm.places)
    void allRowsOfView()
      .then((places) => commit(confirm.kind, places))
      .catch((error: unknown) => setMessage(`Not saved: ${error instanceof Error ? error.message : String(error)}`))
  }

  const commit = (kind: LabelKind, places: Selection): void => {
    const ids = [...places.keys()]
    if (ids.length === 0) return
    const trimmed = note.trim()
    decide.mutate(
      { anomalyIds: ids, label: kind, local: query.filters.batchId != null, ...(trimmed === '' ? {} : { note: trimmed }) },
      { onError: (error) => setMessage(`Not saved: ${error.message}`) },
    )
    for (const [id, place] of places) decidedPlaces.current.set(id, place)
    const leaves = leavesView(query.filters.statuses, kind)
    // Out of this view: the rows leave, and the next one slides under the cursor.
    if (leaves)
      setHidden((old) =>
        withHidden(
          old,
          [...places.values()].filter((p) => p >= 0),
        ),
      )
    setMessage(`${ids.length === 1 ? 'Labelled' : `Labelled ${ids.length}`} ${kind.replace('_', ' ').toLowerCase()} — u to undo`)
    setNote('')
    const bulk = selected.size > 0 || allSelected
    if (bulk) {
      setSelected(NO_SELECTION)
      setAllSelected(false)
    } else if (!leaves) move(cursor + 1)
  }

  const undoLast = (): void =>
    undo.mutate(undefined, {
      onSuccess: (r) => {
        if (r.restored === 0) return setMessage('Nothing to undo')
        const places = r.anomalyIds.flatMap((id) => {
          const place = decidedPlaces.current.get(id)
          return place === undefined || place < 0 ? [] : [place]
        })
        const after = withHidden(hiddenRef.current, [], places)
        setHidden(after)
        // Back to the alert that was undone (the first in the list, for a bulk decision).
        if (places.length > 0) setCursor(shownIndexOf(Math.min(...places), after))
        return setMessage(`Undone (${r.restored})`)
      },
      onError: (error) => setMessage(error.message),
    })

  const toggle = (row: QueueRow | undefined, index: number): void => {
    if (row === undefined) return
    setAllSelected(false)
    setSelected((old) => {
      const copy = new Map(old)
      if (copy.has(row.id)) copy.delete(row.id)
      else copy.set(row.id, snapshotIndexOf(index, hiddenRef.current))
      return copy
    })
  }

  const toggleAll = (): void => {
    setSelected(NO_SELECTION)
    setAllSelected((all) => !all)
  }

  const copyIds = (row: QueueRow | undefined): void => {
    if (row === undefined) return
    copyAlertIds(row).then(setMessage, (error: unknown) => setMessage(`Could not copy: ${error instanceof Error ? error.message : String(error)}`))
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
        return move(count - 1)
      case 'open':
        return setDetailOpen(true)
      case 'close':
        if (confirm !== null) return setConfirm(null)
        return help ? setHelp(false) : setDetailOpen(false)
      case 'toggleSelect':
        return toggle(current, cursor)
      case 'selectAll':
        return toggleAll()
      case 'copy':
        return copyIds(current)
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
        return undoLast()
      default:
        return undefined
    }
  }
  useQueueKeyboard(onAction, active)
  const onVisibleRange = useCallback((first: number, last: number) => setRange({ first, last }), [])
  // Stable while the query stands, so the filter bar skips the re-render of each key press.
  const onFilters = useCallback((filters: QueueFilters) => onQuery({ ...query, filters }), [query, onQuery])
  const onSort = useCallback((sort: QueueSort) => onQuery({ ...query, sort }), [query, onQuery])
  // The core's count of the view now; the list's own until it answers.
  const shownTotal = progress.data?.total ?? count
  const selectionSize = allSelected ? Math.min(count, MAX_BULK) : selected.size

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
        <span data-testid="queue-count">{list.pending ? 'Loading…' : `${shownTotal.toLocaleString()} ${shownTotal === 1 ? 'anomaly' : 'anomalies'}`}</span>
        {progress.data !== undefined && (
          <span data-testid="queue-progress" className="queue-progress">
            <b data-testid="decided-today">{progress.data.decidedToday.toLocaleString()}</b> decided today ·{' '}
            <b data-testid="left-in-view">{progress.data.left.toLocaleString()}</b> left in this view
          </span>
        )}
        {selectionSize > 0 && confirm === null && (
          <span data-testid="selection-count">
            {selectionSize.toLocaleString()} selected{allSelected ? ' (every row in this view)' : ''} — <kbd>f</kbd>/<kbd>p</kbd>/<kbd>e</kbd> labels them all
            <button
              type="button"
              className="link"
              onClick={() => {
                setSelected(NO_SELECTION)
                setAllSelected(false)
              }}
            >
              clear
            </button>
          </span>
        )}
        {confirm !== null && (
          <span className="bulk-confirm" role="alert" data-testid="bulk-confirm">
            Label {(confirm.places.size > 0 ? confirm.places.size : Math.min(count, MAX_BULK)).toLocaleString()} alerts as{' '}
            {STATUS_LABEL[statusForLabel(confirm.kind)].toLowerCase()}?
            <button type="button" onClick={confirmBulk}>
              Label them
            </button>
            <button type="button" className="link" onClick={() => setConfirm(null)}>
              Cancel (Esc)
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
      {!list.pending && count === 0 && list.error === null && <p className="empty-box">No anomalies match these filters.</p>}
      <div className={`queue-body ${detailOpen ? 'with-detail' : ''}`}>
        <QueueTable
          count={count}
          cursor={cursor}
          selected={selected}
          allSelected={allSelected}
          onToggleAll={toggleAll}
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
            onCopyIds={() => copyIds(current)}
            onCaseOpened={onOpenCase}
          />
        )}
      </div>
      {help && <ShortcutsOverlay onClose={() => setHelp(false)} />}
    </section>
  )
}
