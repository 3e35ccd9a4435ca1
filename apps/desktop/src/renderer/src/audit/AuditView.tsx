import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTRPC } from '../api/server-api.ts'
import { formatTime } from '../format.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { membersQuery } from '../members/members-query.ts'
import { auditChanges, entityHref, entityLabel, type AuditChange } from './audit-diff.ts'

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
                  <EntityCell entityType={row.entityType} entityId={row.entityId} />
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
                  <ChangeLines changes={auditChanges(row.oldData, row.newData, names)} />
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

/** The entity's label, and a link where the console can open it (alerts, cases). */
function EntityCell({ entityType, entityId }: { entityType: string; entityId: string | null }) {
  const href = entityHref(entityType, entityId)
  return (
    <>
      {href === null ? (
        entityLabel(entityType)
      ) : (
        <a href={href} data-testid="audit-entity-link" title={`Open this ${entityLabel(entityType).toLowerCase()}`}>
          {entityLabel(entityType)}
        </a>
      )}
      {entityId !== null && (
        <div className="muted audit-id" title={entityType}>
          {entityId}
        </div>
      )}
    </>
  )
}

/** One `field: old → new` line per changed field. */
function ChangeLines({ changes }: { changes: AuditChange[] }) {
  if (changes.length === 0) return <span className="muted">no field changes</span>
  return (
    <div className="audit-changes" data-testid="audit-changes">
      {changes.map((change) => (
        <div key={change.field} data-field={change.field}>
          <span className="muted">{change.field}:</span>{' '}
          {change.before !== undefined && (
            <>
              <code>{change.before}</code> →{' '}
            </>
          )}
          {change.after === undefined ? <span className="muted">removed</span> : <code>{change.after}</code>}
        </div>
      ))}
    </div>
  )
}
