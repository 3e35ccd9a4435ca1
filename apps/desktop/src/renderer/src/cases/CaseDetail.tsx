import type { ClosedCaseStatus, OpenCaseStatus } from '@anomalyze/shared'
import { useQuery } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import type { CaseActArgs, CaseActResult } from '../../../contract/cases.ts'
import type { EntityRefArgs } from '../../../contract/entity.ts'
import type { QueueRow } from '../../../contract/queue.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { formatAmount, formatTime, formatWhen } from '../format.ts'
import { useKeyTable } from '../hooks/useKeyTable.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { useSyncStatus } from '../hooks/useSyncStatus.ts'
import { AssignPicker } from './AssignPicker.tsx'
import { CASE_DETAIL_KEYS, type CaseAction } from './case-keys.ts'
import { CASE_STATUS_LABEL, formatDue, SLA_LABEL } from './case-format.ts'
import { CaseAlerts } from './CaseAlerts.tsx'
import { CaseTimeline } from './CaseTimeline.tsx'
import { CloseDialog } from './CloseDialog.tsx'
import { CommentBox } from './CommentBox.tsx'
import { conflictText } from './conflict-text.ts'
import { caseQuery, useCaseActions } from './useCaseActions.ts'

interface Props {
  caseId: string
  active: boolean
  onClose: () => void
  onOpenEntity: (ref: EntityRefArgs) => void
  onOpenAlert: (row: QueueRow) => void
  onOpenCase: (id: string) => void
}

/** What a result says to the analyst in the toast. */
function resultMessage(result: CaseActResult, args: CaseActArgs): string {
  if (result.conflict !== null) return result.conflict.message
  const done: Record<CaseActArgs['kind'], string> = {
    claim: 'Claimed',
    assign: 'Assigned',
    unassign: 'Unassigned',
    status: 'Status changed',
    comment: 'Comment posted',
    close: 'Case closed',
  }
  return `${done[args.kind]}${result.pending ? ' — not synced yet' : ''}`
}

/**
 * One case: its header, the actions (each with a key), its alerts, the comment box and
 * the timeline. Viewers see no action controls, only why.
 */
export function CaseDetail({ caseId, active, onClose, onOpenEntity, onOpenAlert, onOpenCase }: Props) {
  const detail = useQuery(caseQuery(caseId))
  const work = usePermission('cases:work')
  const manage = usePermission('cases:manage')
  const me = work.profile?.id ?? null
  const [message, setMessage] = useState<string | null>(null)
  const [closing, setClosing] = useState<ClosedCaseStatus | null>(null)
  const [assigning, setAssigning] = useState(false)
  const [alertCursor, setAlertCursor] = useState(0)
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set())
  const commentRef = useRef<HTMLTextAreaElement>(null)
  const { act, split } = useCaseActions(
    (result, args) => setMessage(resultMessage(result, args)),
    (text) => setMessage(`Not saved: ${text}`),
  )
  // A sync may bring a teammate's action or the answer to this analyst's own.
  const lastSyncedAt = useSyncStatus().data?.lastSyncedAt ?? null
  const { refetch } = detail
  useEffect(() => {
    void refetch()
    // "… not synced yet" is stale once a sync ran.
    setMessage((m) => (m?.endsWith('not synced yet') === true ? null : m))
  }, [lastSyncedAt, refetch])
  useEffect(() => {
    setMessage(null)
    setAlertCursor(0)
    setPicked(new Set())
    setAssigning(false)
  }, [caseId])

  const d = detail.data
  const row = d?.case
  const open = row !== undefined && (row.status === 'OPEN' || row.status === 'IN_REVIEW' || row.status === 'ESCALATED')
  const canWork = work.allowed
  const send = (args: CaseActArgs): void => {
    if (!canWork) return setMessage(work.reason)
    act.mutate(args)
  }
  const setStatus = (status: OpenCaseStatus): void => {
    if (row === undefined) return
    if (!open && !manage.allowed) return setMessage(`Reopening a closed case needs the admin role`)
    send({ caseId, kind: 'status', status })
  }
  const togglePicked = (id: string): void =>
    setPicked((old) => {
      const copy = new Set(old)
      if (copy.has(id)) copy.delete(id)
      else copy.add(id)
      return copy
    })
  const onAction = (action: CaseAction): void => {
    if (row === undefined || d === undefined) return
    const alert = d.alerts[alertCursor]
    switch (action) {
      case 'claim':
        return send({ caseId, kind: 'claim' })
      case 'assign':
        if (!canWork) return setMessage(work.reason)
        return setAssigning(true)
      case 'unassign':
        return send({ caseId, kind: 'unassign' })
      case 'review':
        return setStatus('IN_REVIEW')
      case 'escalate':
        return setStatus('ESCALATED')
      case 'reopen':
        return setStatus('OPEN')
      case 'closeFraud':
      case 'closeLegit':
        if (!canWork) return setMessage(work.reason)
        if (!open) return setMessage('This case is already closed')
        return setClosing(action === 'closeFraud' ? 'CLOSED_FRAUD' : 'CLOSED_LEGITIMATE')
      case 'comment':
        if (!canWork) return setMessage(work.reason)
        requestAnimationFrame(() => commentRef.current?.focus())
        return undefined
      case 'entity':
        return onOpenEntity({ type: row.entityType, id: row.entityId })
      case 'split':
        if (!canWork) return setMessage(work.reason)
        if (picked.size === 0) return setMessage('Select the alerts to split off first (x or the check boxes)')
        if (picked.size === d.alerts.length) return setMessage('Leave at least one alert in this case: a split moves some of them')
        return split.mutate(
          { caseId, anomalyIds: [...picked] },
          {
            onSuccess: (created) => {
              setPicked(new Set())
              setMessage(`Split ${picked.size} alerts into a new case`)
              onOpenCase(created.id)
            },
          },
        )
      case 'alertNext':
        return setAlertCursor((c) => Math.min(c + 1, d.alerts.length - 1))
      case 'alertPrevious':
        return setAlertCursor((c) => Math.max(c - 1, 0))
      case 'pickAlert':
        return alert === undefined ? undefined : togglePicked(alert.id)
      default:
        return undefined
    }
  }
  useKeyTable(CASE_DETAIL_KEYS, onAction, active && closing === null)

  if (detail.isPending) return <aside className="detail-pane case-detail">Loading the case…</aside>
  if (detail.isError)
    return (
      <aside className="detail-pane case-detail">
        <p className="error-box">Could not load the case: {detail.error.message}</p>
      </aside>
    )
  if (d === undefined || row === undefined) return null
  const now = Date.now()
  const alert = d.alerts[Math.min(alertCursor, d.alerts.length - 1)]
  const assignedToMe = row.assignee !== null && row.assignee.id === me
  return (
    <aside className="detail-pane case-detail" aria-label="Case detail" data-testid="case-detail" data-case-id={row.id}>
      <header>
        <h2>
          <span className="entity-kind">{row.entityType === 'ACCOUNT' ? 'Account' : 'Merchant'}</span>{' '}
          <button
            type="button"
            className="link entity-link"
            onClick={() => onOpenEntity({ type: row.entityType, id: row.entityId })}
            data-testid="case-entity-link"
          >
            {row.entityId}
          </button>
        </h2>
        <button type="button" className="link" onClick={onClose} aria-label="Close case">
          Esc ✕
        </button>
      </header>
      <div className="case-facts">
        <span className={`badge sev-${row.priority}`}>{row.priority}</span>
        <span data-testid="case-status">
          {CASE_STATUS_LABEL[row.status]}
          {row.pending ? ' (not synced yet)' : ''}
        </span>
        <span data-testid="case-assignee">{row.assignee === null ? 'Unassigned' : `Assigned to ${row.assignee.name}${assignedToMe ? ' (you)' : ''}`}</span>
        {open ? (
          <span>
            Due {row.dueAt === null ? '—' : `${formatWhen(row.dueAt)} (${formatDue(row.dueAt, now)})`}{' '}
            {row.sla !== 'none' && row.sla !== 'ok' && <span className={`sla-badge sla-${row.sla}`}>{SLA_LABEL[row.sla]}</span>}
          </span>
        ) : (
          <span>
            Closed{row.closedAt === null ? '' : ` ${formatWhen(row.closedAt)}`}
            {row.closedBy === null ? '' : ` by ${row.closedBy.name}`}
          </span>
        )}
        <span>
          {row.openAlertCount} of {row.alertCount} alerts open
        </span>
      </div>
      {d.conflict !== null && (
        <p className="conflict-notice" role="alert" data-testid="case-conflict">
          {conflictText(d.conflict, d.timeline)}
        </p>
      )}
      {message !== null && (
        <p className="toast case-toast" role="status" data-testid="case-toast">
          {message}
        </p>
      )}
      {canWork ? (
        <div className="actions case-actions" data-testid="case-actions">
          {open ? (
            <>
              <button type="button" onClick={() => onAction('claim')} disabled={assignedToMe}>
                Claim <kbd>c</kbd>
              </button>
              <button type="button" onClick={() => onAction('assign')}>
                Assign <kbd>a</kbd>
              </button>
              <button type="button" onClick={() => onAction('unassign')} disabled={row.assignee === null}>
                Unassign <kbd>⇧U</kbd>
              </button>
              <button type="button" onClick={() => onAction('review')} disabled={row.status === 'IN_REVIEW'}>
                In review <kbd>r</kbd>
              </button>
              <button type="button" onClick={() => onAction('escalate')} disabled={row.status === 'ESCALATED'}>
                Escalate <kbd>e</kbd>
              </button>
              {row.status !== 'OPEN' && (
                <button type="button" onClick={() => onAction('reopen')}>
                  Back to open <kbd>o</kbd>
                </button>
              )}
              <button type="button" className="act-fraud" onClick={() => onAction('closeFraud')}>
                Close as fraud <kbd>⇧F</kbd>
              </button>
              <button type="button" className="act-fp" onClick={() => onAction('closeLegit')}>
                Close as legitimate <kbd>⇧L</kbd>
              </button>
            </>
          ) : (
            manage.allowed && (
              <button type="button" onClick={() => onAction('reopen')}>
                Reopen <kbd>o</kbd>
              </button>
            )
          )}
          <button type="button" onClick={() => onAction('entity')}>
            Entity view <kbd>v</kbd>
          </button>
        </div>
      ) : (
        <>
          <div className="actions">
            <button type="button" onClick={() => onAction('entity')}>
              Entity view <kbd>v</kbd>
            </button>
          </div>
          <RoleNote reason={work.reason} />
        </>
      )}
      {assigning && (
        <AssignPicker
          currentId={row.assignee?.id ?? null}
          onCancel={() => setAssigning(false)}
          onAssign={(assigneeId) => {
            setAssigning(false)
            send({ caseId, kind: 'assign', assigneeId })
          }}
        />
      )}
      <h3>
        Alerts ({d.alerts.length}){' '}
        {picked.size > 0 && (
          <span className="muted" data-testid="split-selection">
            — {picked.size} selected, <kbd>⇧S</kbd> splits them into a new case{' '}
            <button type="button" className="link" onClick={() => onAction('split')}>
              Split
            </button>
          </span>
        )}
      </h3>
      <CaseAlerts alerts={d.alerts} cursor={alertCursor} selected={picked} onPick={setAlertCursor} onToggle={togglePicked} />
      {alert !== undefined && (
        <p className="case-alert-detail muted" data-testid="case-alert-detail">
          {alert.txId}: {formatAmount(alert.amount, alert.currency)} at {alert.merchantId}, {formatTime(alert.timestamp)} UTC
          {alert.rules.length > 0 && <> — rules {alert.rules.join(', ')}</>}{' '}
          <button type="button" className="link" onClick={() => onOpenAlert(alert)}>
            Open in the queue
          </button>
        </p>
      )}
      {canWork && (
        <>
          <h3>Comment</h3>
          <CommentBox inputRef={commentRef} disabled={false} onPost={(text) => send({ caseId, kind: 'comment', text })} />
        </>
      )}
      <h3>Timeline</h3>
      <CaseTimeline entries={d.timeline} />
      {closing !== null && (
        <CloseDialog
          status={closing}
          openAlerts={row.openAlertCount}
          onCancel={() => setClosing(null)}
          onConfirm={(note) => {
            setClosing(null)
            send({ caseId, kind: 'close', status: closing, ...(note === '' ? {} : { note }) })
          }}
        />
      )}
    </aside>
  )
}
