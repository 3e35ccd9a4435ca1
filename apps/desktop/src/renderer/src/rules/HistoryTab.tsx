import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useState } from 'react'
import { RoleNote } from '../components/RoleNote.tsx'
import { formatTime } from '../format.ts'
import { useKeyTable } from '../hooks/useKeyTable.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { RULES_KEYS, type RulesAction } from './rule-keys.ts'
import { RULES_KEY, rulesApi } from './rules-api.ts'
import { RulesDialog } from './RulesDialog.tsx'
import { VersionDiff } from './VersionDiff.tsx'

const TAB_ACTIONS: ReadonlySet<RulesAction> = new Set(['next', 'previous', 'rollback'])

/** History: every published version (who, when, why, restored from), the selected one's diff against the one before, and roll back (admins). */
export function HistoryTab({ active }: { active: boolean }) {
  const queryClient = useQueryClient()
  const versions = useQuery({ queryKey: [...RULES_KEY, 'versions'], queryFn: rulesApi.versions })
  const list = useMemo(() => [...(versions.data ?? [])].sort((a, b) => b.version - a.version), [versions.data])
  const [cursor, setCursor] = useState(0)
  const selected = list[Math.min(cursor, list.length - 1)]
  const detail = useQuery({
    queryKey: [...RULES_KEY, 'version', selected?.version],
    queryFn: () => rulesApi.version(selected?.version ?? 0),
    enabled: selected !== undefined,
  })
  const publishReason = usePermission('rules:publish').reason
  const [rollingBack, setRollingBack] = useState(false)
  const rollback = useMutation({
    mutationFn: (comment: string) => rulesApi.rollback({ version: selected?.version ?? 0, comment }),
    onSuccess: () => {
      setRollingBack(false)
      setCursor(0)
      void queryClient.invalidateQueries({ queryKey: RULES_KEY })
    },
  })
  useEffect(() => setCursor((c) => Math.min(c, Math.max(0, list.length - 1))), [list.length])
  const inForce = list[0]?.version
  const table = useMemo(() => RULES_KEYS.filter((k) => TAB_ACTIONS.has(k.action)), [])
  useKeyTable(
    table,
    (action) => {
      if (action === 'next') setCursor((c) => Math.min(list.length - 1, c + 1))
      else if (action === 'previous') setCursor((c) => Math.max(0, c - 1))
      else if (action === 'rollback' && selected !== undefined && selected.version !== inForce) setRollingBack(true)
    },
    active && !rollingBack,
  )

  if (versions.isError)
    return (
      <p className="error-box" role="alert">
        {versions.error.message}
      </p>
    )
  return (
    <div className="rules-body rules-history">
      <div className="rules-list-pane">
        <table className="rules-table" aria-label="Rule set versions" data-testid="rule-versions">
          <thead>
            <tr>
              <th className="num">Version</th>
              <th>Published</th>
              <th>Comment</th>
              <th className="num">Rules</th>
            </tr>
          </thead>
          <tbody>
            {list.map((v, index) => (
              <tr key={v.version} aria-selected={index === cursor} onClick={() => setCursor(index)} data-testid="rule-version" data-version={v.version}>
                <td className="num">
                  {v.version} {v.version === inForce && <span className="rule-state state-published">in force</span>}
                </td>
                <td>
                  {v.publishedAt === null ? <span className="muted">built in</span> : `${v.publishedBy?.name ?? 'someone'}, ${formatTime(v.publishedAt)}`}
                </td>
                <td>
                  {v.comment}
                  {v.restoredFrom !== null && <span className="muted"> (restored from version {v.restoredFrom})</span>}
                </td>
                <td className="num">{v.ruleCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="rules-detail-pane">
        {selected !== undefined && (
          <>
            <header className="rule-editor-head">
              <h3>
                Version {selected.version} against {selected.version === 0 ? 'nothing (the built-in rules)' : 'the version before'}
              </h3>
              <button
                type="button"
                disabled={publishReason !== null || selected.version === inForce}
                title={publishReason ?? (selected.version === inForce ? 'This version is in force' : undefined)}
                onClick={() => setRollingBack(true)}
                data-testid="rule-rollback"
              >
                Roll back to version {selected.version} <kbd>Z</kbd>
              </button>
            </header>
            <RoleNote reason={publishReason} />
            {detail.isError && <p className="error-text">{detail.error.message}</p>}
            {detail.data !== undefined && <VersionDiff detail={detail.data} />}
          </>
        )}
      </div>
      {rollingBack && selected !== undefined && (
        <RulesDialog
          title={`Roll back to version ${selected.version}?`}
          testId="rollback-dialog"
          comment={{ label: 'Roll back comment', placeholder: 'Why (required; kept with the new version)' }}
          confirmLabel="Roll back"
          busy={rollback.isPending}
          disabledReason={publishReason}
          error={rollback.error?.message ?? null}
          onConfirm={(comment) => rollback.mutate(comment)}
          onCancel={() => setRollingBack(false)}
        >
          <p>Its {selected.ruleCount} rules are published again as a new version, and the drafts are reset to them (unpublished draft changes are lost).</p>
        </RulesDialog>
      )}
    </div>
  )
}
