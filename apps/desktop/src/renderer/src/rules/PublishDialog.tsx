import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { publishWarning, type PublishWarning } from './publish-refusal.ts'
import { rulesApi, ServerCallError, type TRuleSetVersionSummary } from './rules-api.ts'
import { RulesDialog } from './RulesDialog.tsx'

interface Props {
  changes: number
  publishReason: string | null
  onPublished: (version: TRuleSetVersionSummary) => void
  onCancel: () => void
}

/**
 * Publishes the drafts with a comment. When the server asks first (the drafts' backtest
 * raised more alerts a day than the budget, or they were never backtested), it shows the
 * figure and "Publish anyway" resends with `confirmed: true`.
 */
export function PublishDialog({ changes, publishReason, onPublished, onCancel }: Props) {
  const [warning, setWarning] = useState<PublishWarning | null>(null)
  const publish = useMutation({
    mutationFn: (input: { comment: string; confirmed: boolean }) => rulesApi.publish(input),
    onSuccess: onPublished,
    onError: (error) => {
      if (error instanceof ServerCallError) setWarning(publishWarning(error.code, error.details))
    },
  })
  const refusal = publish.error !== null && warning === null ? publish.error.message : null
  return (
    <RulesDialog
      title="Publish the drafts"
      testId="publish-dialog"
      comment={{ label: 'Publish comment', placeholder: 'Why this change (required; kept with the version)' }}
      confirmLabel={warning === null ? 'Publish' : 'Publish anyway'}
      busy={publish.isPending}
      disabledReason={publishReason}
      error={refusal}
      onConfirm={(comment) => publish.mutate({ comment, confirmed: warning !== null })}
      onCancel={onCancel}
    >
      <p>
        {changes === 0
          ? 'The drafts are as in force: publishing makes the same rules a new version.'
          : `${changes} change${changes === 1 ? '' : 's'} against the version in force.`}{' '}
        Ingestion evaluates the new version from the next transaction on.
      </p>
      {warning !== null && (
        <p className="error-text" data-testid="publish-warning" data-reason={warning.reason}>
          {warning.text} Publish anyway?
        </p>
      )}
    </RulesDialog>
  )
}
