import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import type { EntityRefArgs } from '../../../contract/entity.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { formatTime } from '../format.ts'
import { useKeyTable } from '../hooks/useKeyTable.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { BacktestPanel } from './BacktestPanel.tsx'
import { draftsWithChange } from './draft-set.ts'
import { PublishDialog } from './PublishDialog.tsx'
import { RuleEditor } from './RuleEditor.tsx'
import { RULES_KEYS, type RulesAction } from './rule-keys.ts'
import { RULES_KEY, rulesApi, type TRuleDefinition } from './rules-api.ts'
import { RulesDialog } from './RulesDialog.tsx'
import { RuleTable } from './RuleTable.tsx'
import { useBacktest, type BacktestWhere } from './useBacktest.ts'

const TAB_ACTIONS: ReadonlySet<RulesAction> = new Set(['next', 'previous', 'open', 'new', 'delete', 'backtest', 'publish', 'entity', 'back'])

interface Props {
  active: boolean
  online: boolean
  onOpenEntity: (ref: EntityRefArgs) => void
}

export const OVERVIEW_KEY = [...RULES_KEY, 'overview'] as const

/**
 * The Rules tab: the version in force, the drafts (n new, Enter edit, Delete delete),
 * the editor, the backtest of the drafts with the edited rule as it stands (b), and
 * publishing (Shift+P, admins).
 */
export function RulesTab({ active, online, onOpenEntity }: Props) {
  const queryClient = useQueryClient()
  const overview = useQuery({ queryKey: OVERVIEW_KEY, queryFn: rulesApi.overview, enabled: online })
  const draftReason = usePermission('rules:draft').reason
  const publishReason = usePermission('rules:publish').reason
  const [cursor, setCursor] = useState(0)
  // The editor: which draft (null id: a new rule), and the rule as it stands in it.
  const [editing, setEditing] = useState<{ id: string | null; rule: TRuleDefinition | null } | null>(null)
  const [backtestOpen, setBacktestOpen] = useState(false)
  const [where, setWhere] = useState<BacktestWhere>('server')
  const [days, setDays] = useState(30)
  const [sampleCursor, setSampleCursor] = useState(0)
  const [dialog, setDialog] = useState<'publish' | 'delete' | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const backtest = useBacktest()
  const refresh = () => queryClient.invalidateQueries({ queryKey: RULES_KEY })
  const remove = useMutation({
    mutationFn: (id: string) => rulesApi.deleteDraft(id),
    onSuccess: () => {
      setDialog(null)
      setEditing(null)
      void refresh()
    },
  })

  const drafts = useMemo(() => overview.data?.drafts ?? [], [overview.data])
  const current = drafts[Math.min(cursor, drafts.length - 1)]
  const editedDraft = editing?.id == null ? null : (drafts.find((d) => d.id === editing.id) ?? null)
  const runWhere: BacktestWhere = online ? where : 'local'
  const startBacktest = (): void => {
    const set = draftsWithChange(drafts, editing?.rule == null ? null : { id: editing.id, rule: editing.rule })
    if (set.length === 0) {
      setNotice('Nothing to backtest: write a rule first (n).')
      return
    }
    setBacktestOpen(true)
    setSampleCursor(0)
    backtest.start(set, runWhere, days)
  }
  const samples = backtest.run?.result?.samples ?? []

  const onAction = (action: RulesAction): void => {
    setNotice(null)
    switch (action) {
      case 'next':
      case 'previous': {
        const step = action === 'next' ? 1 : -1
        if (backtestOpen && samples.length > 0) setSampleCursor((c) => Math.max(0, Math.min(samples.length - 1, c + step)))
        else setCursor((c) => Math.max(0, Math.min(drafts.length - 1, c + step)))
        return
      }
      case 'open':
        if (current !== undefined) setEditing({ id: current.id, rule: null })
        return
      case 'new':
        setEditing({ id: null, rule: null })
        return
      case 'delete':
        if (current !== undefined) setDialog('delete')
        return
      case 'backtest':
        startBacktest()
        return
      case 'publish':
        setDialog('publish')
        return
      case 'entity': {
        const sample = samples[sampleCursor]
        if (backtestOpen && sample !== undefined) onOpenEntity({ type: 'ACCOUNT', id: sample.accountId })
        return
      }
      case 'back':
        if (backtestOpen) {
          setBacktestOpen(false)
          backtest.clear()
        } else setEditing(null)
        return
      default:
        return
    }
  }
  const table = useMemo(() => RULES_KEYS.filter((k) => TAB_ACTIONS.has(k.action)), [])
  useKeyTable(table, onAction, active && dialog === null)

  if (!online)
    return (
      <div className="rules-offline">
        <p className="empty-box" data-testid="rules-offline">
          Drafts, versions and publishing live on the server: sign in and go online to change rules. This console still scores files with the rules it last
          synced, and can backtest over its own cache (b).
        </p>
        {backtestOpen && (
          <BacktestPanel
            run={backtest.run}
            where="local"
            days={days}
            online={false}
            onWhere={setWhere}
            onDays={setDays}
            onStart={startBacktest}
            onClose={() => setBacktestOpen(false)}
            sampleCursor={sampleCursor}
            onOpenEntity={onOpenEntity}
          />
        )}
      </div>
    )
  if (overview.isError)
    return (
      <p className="error-box" role="alert">
        {overview.error.message}
      </p>
    )
  const data = overview.data
  if (data === undefined) return <p className="muted rules-loading">Loading rules…</p>
  const inForce = data.inForce
  const changes = drafts.filter((d) => d.state !== 'published').length + data.removed.length

  return (
    <div className="rules-tab">
      <div className="rules-summary" data-testid="rules-in-force" data-version={inForce.version}>
        <span>
          In force: <strong>version {inForce.version}</strong>{' '}
          {inForce.version === 0 ? (
            <span className="muted">(the built-in rules; nobody published yet)</span>
          ) : (
            <span className="muted">
              published by {inForce.publishedBy?.name ?? 'someone'} {inForce.publishedAt === null ? '' : `at ${formatTime(inForce.publishedAt)}`}
              {inForce.comment !== '' && <>: “{inForce.comment}”</>}
              {inForce.restoredFrom !== null && ` (restored from version ${inForce.restoredFrom})`}
            </span>
          )}
        </span>
        <span className="muted">
          {changes === 0 ? 'The drafts are as in force.' : `${changes} draft change${changes === 1 ? '' : 's'} not published.`} Budget:{' '}
          {data.alertBudgetPerDay.toLocaleString()} alerts a day.
        </span>
        <span className="actions">
          <button
            type="button"
            onClick={() => setEditing({ id: null, rule: null })}
            disabled={draftReason !== null}
            title={draftReason ?? undefined}
            data-testid="rule-new"
          >
            New rule <kbd>n</kbd>
          </button>
          <button type="button" onClick={startBacktest} data-testid="rules-backtest">
            Backtest <kbd>b</kbd>
          </button>
          <button
            type="button"
            onClick={() => setDialog('publish')}
            disabled={publishReason !== null}
            title={publishReason ?? undefined}
            data-testid="rules-publish"
          >
            Publish <kbd>P</kbd>
          </button>
        </span>
      </div>
      <RoleNote reason={publishReason ?? draftReason} />
      {notice !== null && <p className="muted">{notice}</p>}
      <div className="rules-body">
        <div className="rules-list-pane">
          <RuleTable
            overview={data}
            cursor={cursor}
            onCursor={setCursor}
            onOpen={(index) => {
              setCursor(index)
              const row = drafts[index]
              if (row !== undefined) setEditing({ id: row.id, rule: null })
            }}
          />
          {drafts.length === 0 && <p className="muted">No drafts: every rule was deleted. Press n to write one.</p>}
        </div>
        <div className="rules-detail-pane">
          {editing === null && !backtestOpen && (
            <p className="muted">Enter edits the rule under the cursor, n writes a new one, b backtests the drafts, Shift+P publishes them.</p>
          )}
          {editing !== null && (
            <RuleEditor
              key={editing.id ?? 'new'}
              draft={editedDraft}
              draftReason={draftReason}
              onChange={(rule) => setEditing({ id: editing.id, rule })}
              onSaved={(row) => {
                setEditing({ id: row.id, rule: null })
                void refresh()
              }}
              onBacktest={startBacktest}
              onClose={() => setEditing(null)}
            />
          )}
          {backtestOpen && (
            <BacktestPanel
              run={backtest.run}
              where={runWhere}
              days={days}
              online={online}
              onWhere={setWhere}
              onDays={setDays}
              onStart={startBacktest}
              onClose={() => {
                setBacktestOpen(false)
                backtest.clear()
              }}
              sampleCursor={sampleCursor}
              onOpenEntity={onOpenEntity}
            />
          )}
        </div>
      </div>
      {dialog === 'delete' && current !== undefined && (
        <RulesDialog
          title={`Delete the draft ${current.name}?`}
          testId="delete-rule-dialog"
          confirmLabel="Delete draft"
          busy={remove.isPending}
          disabledReason={draftReason}
          error={remove.error?.message ?? null}
          onConfirm={() => remove.mutate(current.id)}
          onCancel={() => setDialog(null)}
        >
          <p>
            {current.state === 'new'
              ? 'It was never published: it goes for good.'
              : 'It stays in force until the drafts are published; publishing then removes it.'}
          </p>
        </RulesDialog>
      )}
      {dialog === 'publish' && (
        <PublishDialog
          changes={changes}
          publishReason={publishReason}
          onPublished={(version) => {
            setDialog(null)
            setNotice(`Published version ${version.version}.`)
            void refresh()
          }}
          onCancel={() => setDialog(null)}
        />
      )}
    </div>
  )
}
