import { useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { CaseListRow, CaseQueue } from '../../../contract/cases.ts'
import type { EntityRefArgs } from '../../../contract/entity.ts'
import type { QueueRow } from '../../../contract/queue.ts'
import { ShortcutsOverlay } from '../components/ShortcutsOverlay.tsx'
import { useKeyTable } from '../hooks/useKeyTable.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { useSyncStatus } from '../hooks/useSyncStatus.ts'
import { CASE_LIST_KEYS, type CaseListAction } from './case-keys.ts'
import { QUEUE_TABS } from './case-format.ts'
import { CaseDetail } from './CaseDetail.tsx'
import { CaseTable } from './CaseTable.tsx'
import { useCaseActions } from './useCaseActions.ts'
import { CASES_KEY, useCasePages } from './useCasePages.ts'

interface Props {
  active: boolean
  queue: CaseQueue
  onQueue: (queue: CaseQueue) => void
  /** The case shown in the detail (null: none). */
  openId: string | null
  onOpenCase: (id: string | null) => void
  onOpenEntity: (ref: EntityRefArgs) => void
  onOpenAlert: (row: QueueRow) => void
}

/**
 * Cases (key C): the five queues as tabs (1-5) with their counts, the case list (a
 * fixed-row window over pages from the cache) and the open case beside it. x selects
 * cases, M merges them into the one under the cursor.
 */
export function CasesView({ active, queue, onQueue, openId, onOpenCase, onOpenEntity, onOpenAlert }: Props) {
  const [text, setText] = useState('')
  const [range, setRange] = useState({ first: 0, last: 40 })
  const [cursor, setCursor] = useState(0)
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [help, setHelp] = useState(false)
  const [message, setMessage] = useState<string | null>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  const pages = useCasePages(queue, text.trim(), range.first, range.last)
  const { total, getRow } = pages
  const work = usePermission('cases:work')
  const { merge } = useCaseActions(undefined, setMessage)
  const queryClient = useQueryClient()
  const [now, setNow] = useState(() => Date.now())
  // Due times and ages move on; a sync may bring new cases or a teammate's actions.
  const lastSyncedAt = useSyncStatus().data?.lastSyncedAt ?? null
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: CASES_KEY })
    setNow(Date.now())
  }, [lastSyncedAt, queryClient])
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000)
    return () => clearInterval(timer)
  }, [])
  useEffect(() => {
    setCursor(0)
    setSelected(new Set())
  }, [queue, text])

  const move = useCallback(
    (to: number) => {
      const next = Math.max(0, Math.min(to, total - 1))
      setCursor(next)
      // With a case open, the detail follows the cursor (as the queue's does).
      const row = getRow(next)
      if (openId !== null && row !== undefined) onOpenCase(row.id)
    },
    [total, getRow, openId, onOpenCase],
  )
  const current = getRow(Math.min(cursor, Math.max(total - 1, 0)))
  const toggle = (row: CaseListRow | undefined): void => {
    if (row === undefined) return
    setSelected((old) => {
      const copy = new Set(old)
      if (copy.has(row.id)) copy.delete(row.id)
      else copy.add(row.id)
      return copy
    })
  }
  const mergeSelected = (): void => {
    if (!work.allowed) return setMessage(work.reason)
    const into = openId ?? current?.id
    if (into === undefined) return
    const fromIds = [...selected].filter((id) => id !== into)
    if (fromIds.length === 0) return setMessage('Select the cases to merge (x), then put the cursor on the case to merge them into and press M')
    merge.mutate(
      { intoId: into, fromIds },
      {
        onSuccess: (merged) => {
          setSelected(new Set())
          setMessage(`Merged ${fromIds.length} ${fromIds.length === 1 ? 'case' : 'cases'} into ${merged.entityId}`)
          onOpenCase(merged.id)
        },
      },
    )
  }

  const onAction = (action: CaseListAction): void => {
    const tab = /^tab(\d)$/.exec(action)?.[1]
    if (tab !== undefined) {
      const next = QUEUE_TABS[Number(tab) - 1]
      if (next !== undefined) onQueue(next.id)
      return
    }
    switch (action) {
      case 'next':
        return move(cursor + 1)
      case 'previous':
        return move(cursor - 1)
      case 'first':
        return move(0)
      case 'last':
        return move(total - 1)
      case 'open':
        return current === undefined ? undefined : onOpenCase(current.id)
      case 'back':
        return help ? setHelp(false) : onOpenCase(null)
      case 'select':
        return toggle(current)
      case 'merge':
        return mergeSelected()
      case 'search':
        return searchRef.current?.focus()
      case 'help':
        return setHelp((h) => !h)
      default:
        return undefined
    }
  }
  // With a case open, x and Space pick its alerts (CaseDetail), not cases.
  const table = useMemo(() => (openId === null ? CASE_LIST_KEYS : CASE_LIST_KEYS.filter((k) => k.action !== 'select')), [openId])
  useKeyTable(table, onAction, active)
  const onVisibleRange = useCallback((first: number, last: number) => setRange({ first, last }), [])

  return (
    <section className="queue-view cases-view" aria-label="Cases" data-testid="cases-view">
      <div className="filter-bar case-tabs" role="tablist" aria-label="Case queues">
        {QUEUE_TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={queue === t.id}
            className="case-tab"
            onClick={() => onQueue(t.id)}
            data-testid={`case-tab-${t.id}`}
          >
            {t.label} <span className="tab-count">{pages.counts === null ? '…' : pages.counts[t.id].toLocaleString()}</span> <kbd>{t.key}</kbd>
          </button>
        ))}
        <input
          ref={searchRef}
          type="search"
          aria-label="Search cases"
          placeholder="Account or merchant (/)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={128}
        />
      </div>
      <div className="queue-meta">
        <span data-testid="case-count">{pages.pending ? 'Loading…' : `${total.toLocaleString()} ${total === 1 ? 'case' : 'cases'}`}</span>
        {selected.size > 0 && (
          <span data-testid="case-selection">
            {selected.size} selected — <kbd>M</kbd> merges them into the case under the cursor{' '}
            <button type="button" className="link" onClick={mergeSelected} disabled={merge.isPending}>
              Merge
            </button>
            <button type="button" className="link" onClick={() => setSelected(new Set())}>
              clear
            </button>
          </span>
        )}
        {!work.allowed && (
          <span className="read-only" title={work.reason ?? undefined}>
            Read only
          </span>
        )}
        {message !== null && (
          <span className="toast" role="status" data-testid="cases-toast">
            {message}
          </span>
        )}
        <button type="button" className="link" onClick={() => setHelp(true)}>
          Shortcuts <kbd>?</kbd>
        </button>
      </div>
      {pages.error !== null && <p className="error-box">Could not load the cases: {pages.error.message}</p>}
      <div className={`queue-body cases-body ${openId !== null ? 'with-detail' : ''}`}>
        {!pages.pending && total === 0 && pages.error === null ? (
          <p className="empty-box" data-testid="cases-empty">
            {queue === 'mine' ? 'No case is assigned to you. Claim one from Unassigned (2).' : 'No case in this queue.'}
          </p>
        ) : (
          <CaseTable
            count={total}
            cursor={cursor}
            selected={selected}
            openId={openId}
            now={now}
            getRow={getRow}
            onVisibleRange={onVisibleRange}
            onPick={move}
            onOpen={(i) => {
              setCursor(i)
              const row = getRow(i)
              if (row !== undefined) onOpenCase(row.id)
            }}
            onToggle={toggle}
          />
        )}
        {openId !== null && (
          <CaseDetail
            caseId={openId}
            active={active && !help}
            onClose={() => onOpenCase(null)}
            onOpenEntity={onOpenEntity}
            onOpenAlert={onOpenAlert}
            onOpenCase={onOpenCase}
          />
        )}
      </div>
      {help && <ShortcutsOverlay onClose={() => setHelp(false)} />}
    </section>
  )
}
