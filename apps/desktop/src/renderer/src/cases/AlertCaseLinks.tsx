import { useState } from 'react'
import type { EntityRefArgs } from '../../../contract/entity.ts'
import type { QueueRow } from '../../../contract/queue.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { useCaseActions } from './useCaseActions.ts'

/**
 * An alert's way into cases and entities (the queue's detail): its case (o), its account
 * or merchant in the entity view (v), and a case opened by hand for its merchant, which
 * takes this alert along (a merchant case gathers alerts across accounts).
 */
export function AlertCaseLinks({
  row,
  onOpenEntity,
  onOpenCase,
  onCaseOpened,
}: {
  row: QueueRow
  onOpenEntity?: (ref: EntityRefArgs) => void
  onOpenCase?: () => void
  onCaseOpened?: (id: string) => void
}) {
  const work = usePermission('cases:work')
  const [error, setError] = useState<string | null>(null)
  const { open } = useCaseActions(undefined, setError)
  if (onOpenEntity === undefined && onOpenCase === undefined) return null
  return (
    <div className="alert-case-links" data-testid="alert-case-links">
      {onOpenCase !== undefined && (
        <button type="button" className="link" onClick={onOpenCase}>
          Its case <kbd>o</kbd>
        </button>
      )}
      {onOpenEntity !== undefined && (
        <>
          <button type="button" className="link" onClick={() => onOpenEntity({ type: 'ACCOUNT', id: row.accountId })}>
            Account {row.accountId} <kbd>v</kbd>
          </button>
          <button type="button" className="link" onClick={() => onOpenEntity({ type: 'MERCHANT', id: row.merchantId })}>
            Merchant {row.merchantId}
          </button>
        </>
      )}
      {onCaseOpened !== undefined && work.allowed && (
        <button
          type="button"
          className="link"
          disabled={open.isPending}
          onClick={() => {
            setError(null)
            open.mutate({ entityType: 'MERCHANT', entityId: row.merchantId, anomalyIds: [row.id] }, { onSuccess: (created) => onCaseOpened(created.id) })
          }}
          data-testid="open-merchant-case"
        >
          Open a case for this merchant
        </button>
      )}
      {error !== null && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </div>
  )
}
