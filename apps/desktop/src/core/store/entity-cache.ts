import type Database from 'better-sqlite3'
import type { TEntityProfile, TEntityRef, TEntityTransaction, TEntityTransactionsInput } from '@anomalyze/shared'
import { writeTransaction } from './open-database.ts'

/** The filters of an entity transactions page, as the cache applies them offline. */
export type EntityTransactionFilters = Pick<TEntityTransactionsInput, 'from' | 'to' | 'amountMin' | 'amountMax' | 'country' | 'counterpartyId' | 'alertsOnly'>

export interface CachedEntityPage {
  items: TEntityTransaction[]
  nextCursor: string | null
  total: number
  fetchedAt: number | null
}

/**
 * The entity view's cache: profiles and transactions as last fetched from the server
 * (entities.profile / entities.transactions), each with when it was fetched, so the
 * view still opens offline. Pages read from here use their own cursor ("local:...").
 */
export interface EntityCache {
  saveProfile(profile: TEntityProfile, now: number): void
  profile(ref: TEntityRef): { profile: TEntityProfile; fetchedAt: number } | null
  saveTransactions(ref: TEntityRef, items: readonly TEntityTransaction[], now: number): void
  transactions(ref: TEntityRef, filters: EntityTransactionFilters, cursor: string | null, limit: number): CachedEntityPage
  cachedCount(ref: TEntityRef): { count: number; fetchedAt: number | null }
}

const LOCAL_CURSOR = /^local:(-?\d+):(.+)$/

export function localCursor(ts: number, txRowId: string): string {
  return `local:${ts}:${txRowId}`
}

export function createEntityCache(db: Database.Database): EntityCache {
  const putProfile = db.prepare(
    `INSERT INTO entity_profiles (entity_type, entity_id, json, fetched_at) VALUES (@type, @id, @json, @now)
     ON CONFLICT (entity_type, entity_id) DO UPDATE SET json = excluded.json, fetched_at = excluded.fetched_at`,
  )
  const getProfile = db.prepare<[string, string], { json: string; fetched_at: number }>(
    'SELECT json, fetched_at FROM entity_profiles WHERE entity_type = ? AND entity_id = ?',
  )
  const putTransaction = db.prepare(
    `INSERT INTO entity_transactions (entity_type, entity_id, tx_row_id, ts, amount, country, counterparty_id, anomaly_id, json, fetched_at)
     VALUES (@type, @id, @txRowId, @ts, @amount, @country, @counterparty, @anomalyId, @json, @now)
     ON CONFLICT (entity_type, entity_id, tx_row_id) DO UPDATE SET ts = excluded.ts, amount = excluded.amount, country = excluded.country,
       counterparty_id = excluded.counterparty_id, anomaly_id = excluded.anomaly_id, json = excluded.json, fetched_at = excluded.fetched_at`,
  )
  const count = db.prepare<[string, string], { count: number; fetchedAt: number | null }>(
    'SELECT COUNT(*) AS count, max(fetched_at) AS fetchedAt FROM entity_transactions WHERE entity_type = ? AND entity_id = ?',
  )

  const saveTransactions = writeTransaction(db, (ref: TEntityRef, items: readonly TEntityTransaction[], now: number) => {
    for (const item of items) {
      putTransaction.run({
        type: ref.type,
        id: ref.id,
        txRowId: item.id,
        ts: item.timestamp,
        amount: item.amount,
        country: item.country,
        counterparty: ref.type === 'ACCOUNT' ? item.merchantId : item.accountId,
        anomalyId: item.anomalyId,
        json: JSON.stringify(item),
        now,
      })
    }
  })

  return {
    saveProfile: (profile, now) => {
      putProfile.run({ type: profile.entity.type, id: profile.entity.id, json: JSON.stringify(profile), now })
    },
    profile: (ref) => {
      const row = getProfile.get(ref.type, ref.id)
      return row === undefined ? null : { profile: JSON.parse(row.json) as TEntityProfile, fetchedAt: row.fetched_at }
    },
    saveTransactions,
    transactions(ref, filters, cursor, limit) {
      const where = ['entity_type = @type', 'entity_id = @id']
      const params: Record<string, unknown> = { type: ref.type, id: ref.id }
      const add = (sql: string, name: string, value: unknown) => {
        if (value === undefined) return
        where.push(sql)
        params[name] = value
      }
      add('ts >= @from', 'from', filters.from)
      add('ts <= @to', 'to', filters.to)
      add('amount >= @amountMin', 'amountMin', filters.amountMin)
      add('amount <= @amountMax', 'amountMax', filters.amountMax)
      add('country = @country COLLATE NOCASE', 'country', filters.country)
      add('counterparty_id = @counterparty', 'counterparty', filters.counterpartyId)
      if (filters.alertsOnly === true) where.push('anomaly_id IS NOT NULL')
      const filtered = where.join(' AND ')
      const meta = count.get(ref.type, ref.id)
      const total = db.prepare(`SELECT COUNT(*) FROM entity_transactions WHERE ${filtered}`).pluck().get(params) as number
      const after = cursor === null ? null : LOCAL_CURSOR.exec(cursor)
      // A server cursor cannot be followed in the cache: the pages fetched so far are all it holds.
      if (cursor !== null && after === null) return { items: [], nextCursor: null, total, fetchedAt: meta?.fetchedAt ?? null }
      const page = [...where]
      if (after !== null) {
        page.push('(ts < @afterTs OR (ts = @afterTs AND tx_row_id < @afterId))')
        params.afterTs = Number(after[1])
        params.afterId = after[2]
      }
      const rows = db
        .prepare(`SELECT ts, tx_row_id, json FROM entity_transactions WHERE ${page.join(' AND ')} ORDER BY ts DESC, tx_row_id DESC LIMIT @limit`)
        .all({ ...params, limit: limit + 1 }) as Array<{ ts: number; tx_row_id: string; json: string }>
      const more = rows.length > limit
      const shown = more ? rows.slice(0, limit) : rows
      const last = shown.at(-1)
      return {
        items: shown.map((r) => JSON.parse(r.json) as TEntityTransaction),
        nextCursor: more && last !== undefined ? localCursor(last.ts, last.tx_row_id) : null,
        total,
        fetchedAt: meta?.fetchedAt ?? null,
      }
    },
    cachedCount: (ref) => {
      const row = count.get(ref.type, ref.id)
      return { count: row?.count ?? 0, fetchedAt: row?.fetchedAt ?? null }
    },
  }
}
