import type { TEntityProfile } from '@anomalyze/shared'
import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { EntityRefArgs, EntityTransactionsArgs } from '../../../contract/entity.ts'
import { callCore } from '../api/core-client.ts'
import { ENTITY_KEYS, type EntityAction } from '../cases/case-keys.ts'
import { ShortcutsOverlay } from '../components/ShortcutsOverlay.tsx'
import { formatTime, formatWhen } from '../format.ts'
import { useKeyTable } from '../hooks/useKeyTable.ts'
import { EntityChart } from './EntityChart.tsx'
import { EntityFilters, type TxFilters } from './EntityFilters.tsx'
import { TransactionsTable } from './TransactionsTable.tsx'

const PAGE = 200
const KIND = { ACCOUNT: 'Account', MERCHANT: 'Merchant' } as const

/**
 * An account or merchant: who it is, how it usually behaves, its transactions from the
 * server (paged, filtered) with a chart, and the entities linked to it one hop away.
 * The core caches what it fetched; offline, the cache answers and the page says since when.
 */
export function EntityView({
  entity,
  onOpenEntity,
  onOpenCase,
  onBack,
}: {
  entity: EntityRefArgs
  onOpenEntity: (ref: EntityRefArgs) => void
  onOpenCase: (id: string) => void
  onBack: () => void
}) {
  const [filters, setFilters] = useState<TxFilters>({})
  const [help, setHelp] = useState(false)
  const view = useQuery({ queryKey: ['entity', entity.type, entity.id], queryFn: () => callCore('entity.get', entity) })
  const txs = useInfiniteQuery({
    queryKey: ['entity.transactions', entity.type, entity.id, filters],
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      callCore('entity.transactions', { ...entity, ...filters, cursor: pageParam, limit: PAGE } satisfies EntityTransactionsArgs),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  })
  const items = txs.data?.pages.flatMap((p) => p.items) ?? []
  const lastPage = txs.data?.pages[txs.data.pages.length - 1]
  const profile = view.data?.profile ?? null
  const offline = view.data?.offline === true || lastPage?.offline === true
  const cachedAt = view.data?.fetchedAt ?? lastPage?.fetchedAt ?? null
  const loadMore = (): void => {
    if (txs.hasNextPage && !txs.isFetchingNextPage) void txs.fetchNextPage()
  }
  const onAction = (action: EntityAction): void => {
    if (action === 'back') return help ? setHelp(false) : onBack()
    if (action === 'more') return loadMore()
    if (action === 'help') return setHelp((h) => !h)
    return undefined
  }
  useKeyTable(ENTITY_KEYS, onAction, true)

  return (
    <section className="entity-view" aria-label="Entity view" data-testid="entity-view" data-entity-id={entity.id}>
      <header className="entity-header">
        <button type="button" className="link" onClick={onBack}>
          ← Back <kbd>Esc</kbd>
        </button>
        <h2>
          <span className="entity-kind">{KIND[entity.type]}</span> <span data-testid="entity-id">{entity.id}</span>
        </h2>
        {profile?.openCaseId != null && (
          <button type="button" className="link" onClick={() => onOpenCase(profile.openCaseId as string)} data-testid="entity-case-link">
            Open case
          </button>
        )}
        {offline && (
          <span className="offline-note" data-testid="entity-offline">
            offline — cached at {cachedAt === null ? 'never (nothing cached)' : formatWhen(cachedAt)}
          </span>
        )}
        <button type="button" className="link" onClick={() => setHelp(true)}>
          Shortcuts <kbd>?</kbd>
        </button>
      </header>
      {view.isError && (
        <p className="error-box">
          Could not load this {KIND[entity.type].toLowerCase()}: {view.error.message}
        </p>
      )}
      {view.isPending ? (
        <p className="muted">Loading…</p>
      ) : profile === null ? (
        <p className="empty-box">Nothing known about it yet{offline ? ' in the cache' : ''}.</p>
      ) : (
        <ProfileCards profile={profile} onOpenEntity={onOpenEntity} />
      )}
      <EntityChart items={items} />
      <EntityFilters value={filters} onChange={setFilters} counterpartyLabel={entity.type === 'ACCOUNT' ? 'merchant' : 'account'} />
      {txs.isError && <p className="error-box">Could not load the transactions: {txs.error.message}</p>}
      <TransactionsTable items={items} entityType={entity.type} />
      <div className="entity-more">
        <span className="muted" data-testid="entity-tx-count">
          {txs.isPending ? 'Loading transactions…' : `${items.length.toLocaleString()} of ${(lastPage?.total ?? 0).toLocaleString()} transactions`}
        </span>
        {txs.hasNextPage && (
          <button type="button" onClick={loadMore} disabled={txs.isFetchingNextPage}>
            {txs.isFetchingNextPage ? 'Loading…' : 'Load more'} <kbd>n</kbd>
          </button>
        )}
      </div>
      {help && <ShortcutsOverlay onClose={() => setHelp(false)} />}
    </section>
  )
}

function Shares({ title, rows }: { title: string; rows: TEntityProfile['countries'] }) {
  return (
    <div className="entity-card">
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">None</p>
      ) : (
        <table className="share-table">
          <tbody>
            {rows.slice(0, 8).map((r) => (
              <tr key={r.id}>
                <td>{r.id}</td>
                <td className="num">{r.count.toLocaleString()}</td>
                <td className="share-cell">
                  <span className="share-bar" style={{ width: `${Math.round(r.share * 100)}%` }} />
                  <span className="num">{(r.share * 100).toFixed(0)}%</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

function ProfileCards({ profile, onOpenEntity }: { profile: TEntityProfile; onOpenEntity: (ref: EntityRefArgs) => void }) {
  const a = profile.amount
  const account = profile.entity.type === 'ACCOUNT'
  return (
    <div className="entity-cards" data-testid="entity-profile">
      <div className="entity-card">
        <h3>Activity</h3>
        <dl className="fields">
          <dt>Transactions</dt>
          <dd data-testid="entity-tx-total">{profile.transactionCount.toLocaleString()}</dd>
          <dt>Alerts</dt>
          <dd>{profile.alertCount.toLocaleString()}</dd>
          <dt>First seen</dt>
          <dd>{profile.firstSeen === null ? '—' : formatTime(profile.firstSeen)}</dd>
          <dt>Last seen</dt>
          <dd>{profile.lastSeen === null ? '—' : formatTime(profile.lastSeen)}</dd>
        </dl>
      </div>
      <div className="entity-card">
        <h3>Usual amount</h3>
        {a === null ? (
          <p className="muted">No transactions</p>
        ) : (
          <dl className="fields">
            <dt>Mean</dt>
            <dd>{a.mean.toFixed(2)}</dd>
            <dt>Median</dt>
            <dd>{a.median.toFixed(2)}</dd>
            <dt>95th percentile</dt>
            <dd>{a.p95.toFixed(2)}</dd>
            <dt>Largest</dt>
            <dd>{a.max.toFixed(2)}</dd>
          </dl>
        )}
      </div>
      <Shares title={account ? 'Usual merchants' : 'Usual accounts'} rows={profile.counterparties} />
      <Shares title="Countries" rows={profile.countries} />
      <div className="entity-card">
        <h3>What the model saw (latest transaction)</h3>
        {profile.features.length === 0 ? (
          <p className="muted">No feature state</p>
        ) : (
          <dl className="fields feature-list">
            {profile.features.map((f) => (
              <div key={f.name} className="feature">
                <dt>{f.name}</dt>
                <dd className="num">{Number.isInteger(f.value) ? f.value : f.value.toFixed(3)}</dd>
              </div>
            ))}
          </dl>
        )}
      </div>
      <div className="entity-card">
        <h3>Linked {account ? 'accounts (alerts at the same merchants)' : 'merchants (where its alerted accounts have alerts)'}</h3>
        {profile.linked.length === 0 ? (
          <p className="muted">None</p>
        ) : (
          <ul className="linked-list" data-testid="entity-linked">
            {profile.linked.map((l) => (
              <li key={`${l.type}:${l.id}`}>
                <button type="button" className="link" onClick={() => onOpenEntity({ type: l.type, id: l.id })}>
                  {l.id}
                </button>{' '}
                <span className="muted">
                  {l.alertCount} {l.alertCount === 1 ? 'alert' : 'alerts'}, via {l.via.slice(0, 3).join(', ')}
                  {l.via.length > 3 ? ` +${l.via.length - 3}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  )
}
