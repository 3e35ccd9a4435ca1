import type { LabelKind } from '@anomalyze/shared'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, type Ref } from 'react'
import type { EntityRefArgs } from '../../../contract/entity.ts'
import type { QueueRow } from '../../../contract/queue.ts'
import { AlertCaseLinks } from '../cases/AlertCaseLinks.tsx'
import { callCore } from '../api/core-client.ts'
import { formatAmount, formatTime, STATUS_LABEL } from '../format.ts'
import { DeliveryLog } from '../notifications/DeliveryLog.tsx'
import { RoleNote } from '../components/RoleNote.tsx'
import { useSyncStatus } from '../hooks/useSyncStatus.ts'
import { ConflictNotice } from './ConflictNotice.tsx'
import { DecisionHistory } from './DecisionHistory.tsx'
import { ExplanationBars } from './ExplanationBars.tsx'
import { HistoryChart } from './HistoryChart.tsx'
import { useSettled } from '../hooks/useSettled.ts'
import { MovedMarker } from './QueueTable.tsx'

interface Props {
  row: QueueRow
  note: string
  noteRef: Ref<HTMLTextAreaElement>
  onNote: (note: string) => void
  onDecide: (label: LabelKind) => void
  onClose: () => void
  /** Why this person may not decide (their role), or null when they may. */
  decideReason?: string | null
  /** The entity view (key v). */
  onOpenEntity?: (ref: EntityRefArgs) => void
  /** The alert's case (key o). */
  onOpenCase?: () => void
  /** A case was opened by hand for the alert's merchant: show it. */
  onCaseOpened?: (id: string) => void
  /** Copies the alert's ids (Ctrl/Cmd+C). */
  onCopyIds?: () => void
}

export const detailQuery = (id: string) => ({ queryKey: ['anomaly', id], queryFn: () => callCore('anomaly.get', { id }) })
export const historyQuery = (accountId: string) => ({
  queryKey: ['history', accountId],
  queryFn: () => callCore('account.history', { accountId, limit: 60 }),
})

/** How long the cursor stays on an alert before its account chart is drawn. */
const CHART_SETTLE_MS = 200
/**
 * The fields the queue row already has show at once; explanation and history follow
 * from the core (and are prefetched for the next item, see QueueView).
 */
export function DetailPane({ row, note, noteRef, onNote, onDecide, onClose, decideReason = null, onOpenEntity, onOpenCase, onCaseOpened, onCopyIds }: Props) {
  const off = decideReason !== null
  const detail = useQuery(detailQuery(row.id))
  const history = useQuery(historyQuery(row.accountId))
  // The chart (recharts, ~15 ms a draw) waits until the analyst stays on the alert: the
  // next alert's figures and decide bar show at once, its account's chart a moment
  // later, and alerts labelled in passing never draw theirs.
  const chart = useSettled(
    useMemo(() => (history.data === undefined ? null : { points: history.data, id: row.id }), [history.data, row.id]),
    CHART_SETTLE_MS,
  )
  const d = detail.data
  // A sync (the console's own every minute, or Sync now) may bring a colleague's decision
  // or the answer to this analyst's: the open alert shows it without being reopened.
  const lastSyncedAt = useSyncStatus().data?.lastSyncedAt ?? null
  const queryClient = useQueryClient()
  const seenSync = useRef(lastSyncedAt)
  useEffect(() => {
    if (seenSync.current === lastSyncedAt) return
    seenSync.current = lastSyncedAt
    void queryClient.invalidateQueries({ queryKey: ['anomaly', row.id] })
    void queryClient.invalidateQueries({ queryKey: ['decision.history', row.id] })
  }, [lastSyncedAt, row.id, queryClient])
  return (
    <aside className="detail-pane" aria-label="Anomaly detail" data-testid="detail-pane" data-anomaly-id={row.id}>
      <header>
        <h2 title={row.txId}>{row.txId}</h2>
        {onCopyIds !== undefined && (
          <button type="button" className="link" onClick={onCopyIds} title="Copy the transaction, account and merchant ids (Ctrl/⌘+C)">
            Copy ids
          </button>
        )}
        <button type="button" className="link" onClick={onClose} aria-label="Close detail">
          Esc ✕
        </button>
      </header>
      <div className="detail-score">
        <span className={`badge sev-${row.severity}`}>{row.severity}</span>
        <span className="score">score {row.score.toFixed(3)}</span>
        <span data-testid="detail-status">
          {STATUS_LABEL[row.status]}
          {row.pending ? ' (not synced yet)' : ''}
        </span>
      </div>
      {d?.conflict != null && <ConflictNotice anomalyId={row.id} conflict={d.conflict} decideReason={decideReason} />}
      {d?.rescore != null && (
        <p className={`rescore-note${d.moved === null ? '' : ` moved-${d.moved}`}`} data-testid="rescore-note">
          {d.moved !== null && <MovedMarker moved={d.moved} />} Was {d.rescore.previousSeverity} {d.rescore.previousScore.toFixed(2)} under{' '}
          {d.rescore.previousModelVersion ?? 'an earlier model'}, now {d.severity} {d.score.toFixed(2)} under {d.modelVersion ?? 'the active model'}
          {d.moved === 'dropped' && ' (below the alert threshold)'}
        </p>
      )}
      <AlertCaseLinks row={row} onOpenEntity={onOpenEntity} onOpenCase={onOpenCase} onCaseOpened={onCaseOpened} />
      <dl className="fields">
        <dt>Amount</dt>
        <dd>{formatAmount(row.amount, row.currency)}</dd>
        <dt>Time (UTC)</dt>
        <dd>{formatTime(row.timestamp)}</dd>
        <dt>Account</dt>
        <dd className="id-value">{row.accountId}</dd>
        <dt>Merchant</dt>
        <dd className="id-value">{row.merchantId}</dd>
        <dt>Category</dt>
        <dd>{d?.category ?? '—'}</dd>
        <dt>Country</dt>
        <dd>{d?.country ?? '—'}</dd>
        <dt>Channel</dt>
        <dd>{d?.channel ?? '—'}</dd>
        <dt>Model</dt>
        <dd>{d?.modelVersion ?? '—'}</dd>
      </dl>
      <h3>Rules fired</h3>
      <p>
        {row.rules.length === 0 ? (
          <span className="muted">None (model score only)</span>
        ) : (
          row.rules.map((r) => (
            <span key={r} className="chip">
              {r}
            </span>
          ))
        )}
      </p>
      <h3>Explanation</h3>
      <p data-testid="explanation">{d?.explanation ?? (detail.isError ? detail.error.message : 'Loading…')}</p>
      {d !== undefined && <ExplanationBars data={d.explanationData} settleMs={CHART_SETTLE_MS} />}
      {d?.latestDecision != null && (
        <p className="muted" data-testid="latest-decision">
          Last decision: {STATUS_LABEL[d.latestDecision.label]} by {d.latestDecision.decidedBy}, {formatTime(d.latestDecision.decidedAt)}
          {d.latestDecision.note !== null && ` — “${d.latestDecision.note}”`}
        </p>
      )}
      <h3>Decision history</h3>
      {d === undefined ? <p className="muted">Loading…</p> : <DecisionHistory detail={d} />}
      <DeliveryLog anomalyId={row.id} />
      <h3>Account history</h3>
      {history.isError ? (
        <p className="muted">{history.error.message}</p>
      ) : chart === undefined || chart === null ? (
        <div className="chart-placeholder" aria-busy="true" data-testid="history-chart-pending" />
      ) : (
        <HistoryChart points={chart.points} highlightId={chart.id} currency={row.currency} />
      )}
      {/* Sticks to the pane's bottom edge: the decide buttons never sit below the fold. */}
      <div className="decide-bar">
        <textarea
          ref={noteRef}
          aria-label="Note"
          placeholder="Optional note (n), sent with the next decision"
          value={note}
          onChange={(e) => onNote(e.target.value)}
          maxLength={2000}
          rows={2}
          disabled={off}
          title={decideReason ?? undefined}
        />
        <div className="actions" data-testid="decide-actions">
          <button type="button" className="act-fraud" onClick={() => onDecide('CONFIRMED_FRAUD')} disabled={off} title={decideReason ?? undefined}>
            Confirm fraud <kbd>f</kbd>
          </button>
          <button type="button" className="act-fp" onClick={() => onDecide('FALSE_POSITIVE')} disabled={off} title={decideReason ?? undefined}>
            False positive <kbd>p</kbd>
          </button>
          <button type="button" className="act-review" onClick={() => onDecide('NEEDS_REVIEW')} disabled={off} title={decideReason ?? undefined}>
            Needs review <kbd>e</kbd>
          </button>
        </div>
        <RoleNote reason={decideReason} />
      </div>
    </aside>
  )
}
