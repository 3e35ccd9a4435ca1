import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { LIST_FIELDS, LIST_KINDS, type ListField, type ListKind } from '@anomalyze/shared'
import { RoleNote } from '../components/RoleNote.tsx'
import { useKeyTable } from '../hooks/useKeyTable.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { ListEntries } from './ListEntries.tsx'
import { RULES_KEYS, type RulesAction } from './rule-keys.ts'
import { listsApi, RULES_KEY } from './rules-api.ts'
import { RulesDialog } from './RulesDialog.tsx'

const TAB_ACTIONS: ReadonlySet<RulesAction> = new Set(['next', 'previous', 'open', 'new', 'delete'])

/**
 * Lists: allow and deny lists of one field's values, with their entry counts; create
 * (n), open (Enter) to search, page, add, remove and import entries, delete (Delete; the
 * server names the rules that still use it). Changing lists takes rules:publish.
 */
export function ListsTab({ active }: { active: boolean }) {
  const queryClient = useQueryClient()
  const lists = useQuery({ queryKey: [...RULES_KEY, 'lists'], queryFn: listsApi.list })
  const reason = usePermission('rules:publish').reason
  const rows = useMemo(() => lists.data ?? [], [lists.data])
  const [cursor, setCursor] = useState(0)
  const [openId, setOpenId] = useState<string | null>(null)
  const [creating, setCreating] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const [form, setForm] = useState<{ name: string; kind: ListKind; field: ListField; description: string }>({
    name: '',
    kind: 'ALLOW',
    field: 'account_id',
    description: '',
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: RULES_KEY })
  const create = useMutation({
    mutationFn: () => listsApi.create(form),
    onSuccess: (row) => {
      setCreating(false)
      setOpenId(row.id)
      setForm((f) => ({ ...f, name: '', description: '' }))
      void refresh()
    },
  })
  const current = rows[Math.min(cursor, rows.length - 1)]
  const remove = useMutation({
    mutationFn: (id: string) => listsApi.delete(id),
    onSuccess: () => {
      setDeleting(false)
      setOpenId(null)
      void refresh()
    },
  })
  const table = useMemo(() => RULES_KEYS.filter((k) => TAB_ACTIONS.has(k.action)), [])
  useKeyTable(
    table,
    (action) => {
      if (action === 'next') setCursor((c) => Math.min(rows.length - 1, c + 1))
      else if (action === 'previous') setCursor((c) => Math.max(0, c - 1))
      else if (action === 'open' && current !== undefined) setOpenId(current.id)
      else if (action === 'new') setCreating(true)
      else if (action === 'delete' && current !== undefined) setDeleting(true)
    },
    active && !deleting,
  )
  const open = rows.find((r) => r.id === openId)

  return (
    <div className="rules-body rules-lists">
      <div className="rules-list-pane">
        <div className="actions">
          <button type="button" onClick={() => setCreating((c) => !c)} disabled={reason !== null} title={reason ?? undefined} data-testid="list-new">
            New list <kbd>n</kbd>
          </button>
        </div>
        <RoleNote reason={reason} />
        {creating && (
          <form
            className="list-create"
            aria-label="New list"
            onSubmit={(e) => {
              e.preventDefault()
              create.mutate()
            }}
          >
            <input
              aria-label="List name"
              placeholder="Name, e.g. payroll accounts"
              value={form.name}
              maxLength={64}
              autoFocus
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
            <select aria-label="List kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as ListKind })}>
              {LIST_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k === 'ALLOW' ? 'ALLOW (suppresses alerts)' : 'DENY (for rules to name)'}
                </option>
              ))}
            </select>
            <select aria-label="List field" value={form.field} onChange={(e) => setForm({ ...form, field: e.target.value as ListField })}>
              {LIST_FIELDS.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
            <input
              aria-label="List description"
              placeholder="Description (optional)"
              value={form.description}
              maxLength={1_000}
              onChange={(e) => setForm({ ...form, description: e.target.value })}
            />
            <button type="submit" disabled={create.isPending || form.name.trim() === ''} data-testid="list-create">
              Create
            </button>
            {create.error !== null && (
              <p className="error-text" role="alert">
                {create.error.message}
              </p>
            )}
          </form>
        )}
        {lists.isError && <p className="error-text">{lists.error.message}</p>}
        <table className="rules-table" aria-label="Lists" data-testid="rule-lists">
          <thead>
            <tr>
              <th>List</th>
              <th>Kind</th>
              <th>Field</th>
              <th className="num">Entries</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr
                key={row.id}
                aria-selected={index === cursor}
                aria-current={row.id === openId ? 'true' : undefined}
                onClick={() => {
                  setCursor(index)
                  setOpenId(row.id)
                }}
                data-testid="rule-list"
                data-list={row.name}
              >
                <td>
                  <div>{row.name}</div>
                  {row.description !== '' && <div className="muted rule-description">{row.description}</div>}
                </td>
                <td>
                  <span className={`rule-mode kind-${row.kind}`}>{row.kind}</span>
                </td>
                <td className="rule-code">{row.field}</td>
                <td className="num">{row.entryCount.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {lists.data !== undefined && rows.length === 0 && (
          <p className="muted">No lists yet. An ALLOW list of accounts suppresses their alerts; rules name any list with in list("name").</p>
        )}
      </div>
      <div className="rules-detail-pane">
        {open === undefined ? (
          <p className="muted">Enter opens the list under the cursor.</p>
        ) : (
          <>
            <header className="rule-editor-head">
              <h3>
                {open.name}{' '}
                <span className="muted">
                  ({open.kind === 'ALLOW' ? 'allow' : 'deny'} list of {open.field})
                </span>
              </h3>
              <button type="button" onClick={() => setDeleting(true)} disabled={reason !== null} title={reason ?? undefined} data-testid="list-delete">
                Delete list <kbd>Delete</kbd>
              </button>
            </header>
            <ListEntries key={open.id} list={open} reason={reason} />
          </>
        )}
      </div>
      {deleting && (open ?? current) !== undefined && (
        <RulesDialog
          title={`Delete the list ${(open ?? current)?.name ?? ''}?`}
          testId="delete-list-dialog"
          confirmLabel="Delete list"
          busy={remove.isPending}
          disabledReason={reason}
          error={remove.error?.message ?? null}
          onConfirm={() => {
            const target = open ?? current
            if (target !== undefined) remove.mutate(target.id)
          }}
          onCancel={() => {
            setDeleting(false)
            remove.reset()
          }}
        >
          <p>Its {(open ?? current)?.entryCount.toLocaleString()} entries go with it. A list a rule still names cannot be deleted.</p>
        </RulesDialog>
      )}
    </div>
  )
}
