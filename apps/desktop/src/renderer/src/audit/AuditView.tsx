import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTRPC } from '../api/server-api.ts'
import { formatTime } from '../format.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { membersQuery } from '../members/members-query.ts'

interface Filters {
  /** A member's user id ('' = everyone); audit rows name the acting user by id. */
  actor: string
  action: string
  entityType: string
  /** yyyy-mm-dd from the date inputs (UTC days). */
  from: string
  to: string
}

const EMPTY: Filters = { actor: '', action: '', entityType: '', from: '', to: '' }
const DAY_MS = 86_400_000

/** The filter form as audit.list input: whole UTC days, "to" inclusive. */
export function auditInput(filters: Filters) {
  const from = filters.from === '' ? undefined : Date.parse(`${filters.from}T00:00:00Z`)
  const to = filters.to === '' ? undefined : Date.parse(`${filters.to}T00:00:00Z`) + DAY_MS
  return {
    limit: 50,
    ...(filters.actor === '' ? {} : { actor: filters.actor }),
    ...(filters.action === '' ? {} : { action: filters.action }),
    ...(filters.entityType === '' ? {} : { entityType: filters.entityType }),
    ...(from === undefined || Number.isNaN(from) ? {} : { from }),
    ...(to === undefined || Number.isNaN(to) ? {} : { to }),
  }
}

const brief = (value: unknown): string => (value == null ? '' : JSON.stringify(value))

/**
 * Audit (view 8): the account's append-only trail, newest first, filtered by action,
 * entity type and date, fifty rows at a time.
 */
export function AuditView() {
  const trpc = useTRPC()
  const online = useServerOnline()
  const [filters, setFilters] = useState<Filters>(EMPTY)
  const rangeError = filters.from !== '' && filters.to !== '' && filters.to < filters.from
  const facets = useQuery({ ...trpc.audit.facets.queryOptions(), enabled: online })
  const members = useQuery(membersQuery(online))
  // The people to filter by: the members, and whoever else the trail names (a removed
  // member, an API key, the system), as audit.facets names them.
  const names = new Map<string, string>([
    ...(members.data ?? []).map((m): [string, string] => [m.userId, m.name ?? m.email ?? m.userId]),
    ...(facets.data?.actors ?? []).map((a): [string, string] => [a.actor, a.name]),
  ])
  const rows = useInfiniteQuery({
    ...trpc.audit.list.infiniteQueryOptions(auditInput(filters), { getNextPageParam: (page) => page.nextCursor ?? undefined }),
    enabled: online && !rangeError,
  })

  if (!online)
    return (
      <p className="empty-box" data-testid="audit-offline">
        The audit trail lives on the server: sign in and go online to browse it.
      </p>
    )

  const set = (patch: Partial<Filters>): void => setFilters((current) => ({ ...current, ...patch }))
  const items = rows.data?.pages.flatMap((page) => page.items) ?? []

  return (
    <section className="audit-view" data-testid="audit-view">
      <h2>Audit trail</h2>
      <form className="filter-bar" aria-label="Audit filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Person{' '}
          <select value={filters.actor} onChange={(e) => set({ actor: e.target.value })} aria-label="Person">
            <option value="">Everyone</option>
            {[...names].map(([actor, name]) => (
              <option key={actor} value={actor}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Action{' '}
          <select value={filters.action} onChange={(e) => set({ action: e.target.value })} aria-label="Action">
            <option value="">All actions</option>
            {[...new Set((facets.data?.actions ?? []).map((a) => `${a.split('.')[0] ?? a}.`))].map((prefix) => (
              <option key={prefix} value={prefix}>
                {prefix}*
              </option>
            ))}
            {(facets.data?.actions ?? []).map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </label>
        <label>
          Entity{' '}
          <select value={filters.entityType} onChange={(e) => set({ entityType: e.target.value })} aria-label="Entity type">
            <option value="">All entities</option>
            {(facets.data?.entityTypes ?? []).map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label>
          From <input type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} aria-label="From day" />
        </label>
        <label>
          To <input type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} aria-label="To day" aria-invalid={rangeError} />
        </label>
        <button type="button" onClick={() => setFilters(EMPTY)}>
          Clear
        </button>
        {rangeError && <span className="error-text">"To" must not be before "From"</span>}
      </form>
      {rows.isError && (
        <p className="error-box" role="alert">
          {rows.error.message}
        </p>
      )}
      {rows.data !== undefined && items.length === 0 && <p className="muted">Nothing recorded for these filters.</p>}
      {items.length > 0 && (
        <table className="reports-table audit-table" aria-label="Audit trail">
          <thead>
            <tr>
              <th>When (UTC)</th>
              <th>Action</th>
              <th>Entity</th>
              <th>Who</th>
              <th>From</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {items.map((row) => (
              <tr key={row.id} data-testid="audit-row" data-action={row.action}>
                <td className="muted">{formatTime(row.createdAt)}</td>
                <td>{row.action}</td>
                <td>
                  {row.entityType}
                  {row.entityId !== null && <div className="muted audit-id">{row.entityId}</div>}
                </td>
                <td title={row.actor}>{names.get(row.actor) ?? row.actor}</td>
                <td className="muted">
                  {row.ipAddress ?? ''}
                  {row.userAgent !== null && (
                    <div className="audit-ua" title={row.userAgent}>
                      {row.userAgent}
                    </div>
                  )}
                </td>
                <td className="audit-change">
                  {row.oldData != null && (
                    <div>
                      <span className="muted">old </span>
                      <code>{brief(row.oldData)}</code>
                    </div>
                  )}
                  {row.newData != null && (
                    <div>
                      <span className="muted">new </span>
                      <code>{brief(row.newData)}</code>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.hasNextPage && (
        <button type="button" disabled={rows.isFetchingNextPage} onClick={() => void rows.fetchNextPage()}>
          {rows.isFetchingNextPage ? 'Loading…' : 'Older entries'}
        </button>
      )}
    </section>
  )
}
