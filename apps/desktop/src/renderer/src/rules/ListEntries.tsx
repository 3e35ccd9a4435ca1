import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { formatTime } from '../format.ts'
import { ImportCsv } from './ImportCsv.tsx'
import { listsApi, RULES_KEY, type TListRow } from './rules-api.ts'

const PAGE_SIZE = 50

/** One list's entries: search, pages, add one, remove one, import a CSV. Changing entries needs rules:publish (`reason` says why not). */
export function ListEntries({ list, reason }: { list: TListRow; reason: string | null }) {
  const queryClient = useQueryClient()
  const [search, setSearch] = useState('')
  // Cursors of the pages before this one (paging back), and this page's.
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const cursor = cursors.at(-1) ?? null
  const entries = useQuery({
    queryKey: [...RULES_KEY, 'entries', list.id, search.trim(), cursor],
    queryFn: () => listsApi.entries({ listId: list.id, search: search.trim() === '' ? undefined : search.trim(), cursor, limit: PAGE_SIZE }),
  })
  const [value, setValue] = useState('')
  const [reasonText, setReasonText] = useState('')
  const [message, setMessage] = useState<string | null>(null)
  const refresh = () => queryClient.invalidateQueries({ queryKey: RULES_KEY })
  const add = useMutation({
    mutationFn: () => listsApi.addEntries({ listId: list.id, entries: [{ value: value.trim(), reason: reasonText.trim() }] }),
    onSuccess: (out) => {
      setMessage(out.added === 1 ? `Added ${value.trim()}.` : `${value.trim()} was already listed.`)
      setValue('')
      setReasonText('')
      void refresh()
    },
  })
  const remove = useMutation({ mutationFn: (id: string) => listsApi.removeEntries(list.id, [id]), onSuccess: () => void refresh() })
  const page = entries.data
  const first = (cursors.length - 1) * PAGE_SIZE
  const nextCursor = page?.nextCursor ?? null

  return (
    <div className="list-entries" data-testid="list-entries" data-list={list.name}>
      <form
        className="filter-bar"
        onSubmit={(e) => {
          e.preventDefault()
          if (value.trim() !== '') add.mutate()
        }}
      >
        <input
          aria-label="New entry value"
          className="rule-code"
          placeholder={`${list.field} value`}
          value={value}
          maxLength={256}
          onChange={(e) => setValue(e.target.value)}
        />
        <input
          aria-label="New entry reason"
          placeholder="Reason (optional)"
          value={reasonText}
          maxLength={500}
          onChange={(e) => setReasonText(e.target.value)}
        />
        <button type="submit" disabled={reason !== null || add.isPending || value.trim() === ''} title={reason ?? undefined} data-testid="list-add-entry">
          Add entry
        </button>
        <input
          type="search"
          aria-label="Search entries"
          placeholder="Search values"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value)
            setCursors([null])
          }}
        />
      </form>
      {message !== null && <p className="muted">{message}</p>}
      {(add.error ?? remove.error) !== null && (
        <p className="error-text" role="alert">
          {(add.error ?? remove.error)?.message}
        </p>
      )}
      {entries.isError && <p className="error-text">{entries.error.message}</p>}
      <table className="rules-table" aria-label={`Entries of ${list.name}`}>
        <thead>
          <tr>
            <th>Value</th>
            <th>Reason</th>
            <th>Added</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {page?.items.map((entry) => (
            <tr key={entry.id} data-testid="list-entry" data-value={entry.value}>
              <td className="rule-code">{entry.value}</td>
              <td>{entry.reason}</td>
              <td className="muted">
                {entry.addedBy?.name ?? 'someone'}, {formatTime(entry.createdAt)}
              </td>
              <td>
                <button
                  type="button"
                  className="link"
                  disabled={reason !== null || remove.isPending}
                  title={reason ?? undefined}
                  onClick={() => remove.mutate(entry.id)}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="filter-bar">
        <span className="muted" data-testid="list-entries-count">
          {page === undefined
            ? 'Loading…'
            : page.total === 0
              ? search.trim() === ''
                ? 'No entries yet.'
                : 'No entry matches.'
              : `${(first + 1).toLocaleString()}–${(first + page.items.length).toLocaleString()} of ${page.total.toLocaleString()}`}
        </span>
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={nextCursor === null} onClick={() => nextCursor !== null && setCursors((c) => [...c, nextCursor])}>
          Next page
        </button>
      </div>
      <ImportCsv listId={list.id} reason={reason} onImported={() => void refresh()} />
    </div>
  )
}
