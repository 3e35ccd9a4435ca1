import { ANOMALY_STATUSES, SEVERITIES, type AnomalyStatus, type Severity } from '@anomalyze/shared'
import { memo, type Ref } from 'react'
import type { QueueFilters, QueueSort } from '../../../contract/queue.ts'
import type { LocalBatch } from '../../../contract/scoring.ts'
import { STATUS_LABEL } from '../format.ts'

interface Props {
  filters: QueueFilters
  sort: QueueSort
  rules: string[]
  /** Offline-scored files: the queue shows either the server's anomalies or one of these. */
  batches: LocalBatch[]
  searchRef: Ref<HTMLInputElement>
  onChange: (filters: QueueFilters) => void
  onSort: (sort: QueueSort) => void
}

/** Filters apply as typed: each change asks the core for a new snapshot. Memoised: moving through the queue does not touch it. */
export const FilterBar = memo(function FilterBar({ filters, sort, rules, batches, searchRef, onChange, onSort }: Props) {
  const set = (patch: Partial<QueueFilters>): void => onChange(withoutEmpty({ ...filters, ...patch }))
  const toggle = <T,>(list: T[] | undefined, value: T): T[] =>
    (list ?? []).includes(value) ? (list ?? []).filter((v) => v !== value) : [...(list ?? []), value]
  return (
    <div className="filter-bar" role="search">
      <select aria-label="Source" value={filters.batchId ?? ''} onChange={(e) => set({ batchId: e.target.value === '' ? undefined : e.target.value })}>
        <option value="">Server queue</option>
        {batches.map((b) => (
          <option key={b.id} value={b.id}>
            File: {b.name} ({b.alertCount.toLocaleString()} alerts of {b.rowCount.toLocaleString()})
          </option>
        ))}
      </select>
      <input
        ref={searchRef}
        type="search"
        placeholder="Search ids, explanation (/)"
        title="Search transaction, account and merchant ids and the explanation (/)"
        aria-label="Search"
        value={filters.text ?? ''}
        onChange={(e) => set({ text: e.target.value })}
      />
      <label>
        Sort
        <select aria-label="Sort" value={sort} onChange={(e) => onSort(e.target.value as QueueSort)}>
          <option value="severity">Severity</option>
          <option value="score">Score</option>
          <option value="time">Newest</option>
        </select>
      </label>
      <fieldset className="chips" aria-label="Severity">
        {SEVERITIES.map((s: Severity) => (
          <button
            type="button"
            key={s}
            aria-pressed={filters.severities?.includes(s) ?? false}
            className={`chip sev-${s}`}
            onClick={() => set({ severities: toggle(filters.severities, s) })}
          >
            {s}
          </button>
        ))}
      </fieldset>
      <fieldset className="chips" aria-label="Status">
        {ANOMALY_STATUSES.map((s: AnomalyStatus) => (
          <button
            type="button"
            key={s}
            aria-pressed={filters.statuses?.includes(s) ?? false}
            className="chip"
            onClick={() => set({ statuses: toggle(filters.statuses, s) })}
          >
            {STATUS_LABEL[s]}
          </button>
        ))}
      </fieldset>
      <button
        type="button"
        className="chip"
        aria-pressed={filters.moved === true}
        title="Only the rows whose severity the last model change moved"
        onClick={() => set({ moved: filters.moved === true ? undefined : true })}
      >
        Moved by the last model change
      </button>
      {/* Whatever status the colleague's decision gave them: turning it on clears the status chips. */}
      <button
        type="button"
        className="chip"
        aria-pressed={filters.overruled === true}
        title="Only the alerts a colleague decided first, where your decision is kept in the history (any status)"
        onClick={() => set(filters.overruled === true ? { overruled: undefined } : { overruled: true, statuses: undefined })}
      >
        Overruled by a colleague
      </button>
      <select aria-label="Rule" value={filters.rule ?? ''} onChange={(e) => set({ rule: e.target.value })}>
        <option value="">Any rule</option>
        {rules.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <input
        type="number"
        aria-label="Minimum amount"
        placeholder="Min amount"
        value={filters.amountMin ?? ''}
        onChange={(e) => set({ amountMin: toNumber(e.target.value) })}
      />
      <input
        type="number"
        aria-label="Maximum amount"
        placeholder="Max amount"
        value={filters.amountMax ?? ''}
        onChange={(e) => set({ amountMax: toNumber(e.target.value) })}
      />
      <input type="date" aria-label="From date" value={toDateInput(filters.from)} onChange={(e) => set({ from: fromDateInput(e.target.value, 0) })} />
      <input type="date" aria-label="To date" value={toDateInput(filters.to, -1)} onChange={(e) => set({ to: fromDateInput(e.target.value, 1) })} />
      <input type="text" aria-label="Account" placeholder="Account id" value={filters.accountId ?? ''} onChange={(e) => set({ accountId: e.target.value })} />
    </div>
  )
})

function toNumber(text: string): number | undefined {
  const n = Number(text)
  return text === '' || !Number.isFinite(n) ? undefined : n
}

const DAY_MS = 86_400_000
// Dates are whole UTC days: "to" is exclusive, so the picked day is included.
function fromDateInput(text: string, dayOffset: number): number | undefined {
  const ms = Date.parse(`${text}T00:00:00Z`)
  return Number.isNaN(ms) ? undefined : ms + dayOffset * DAY_MS
}
function toDateInput(ms: number | undefined, dayOffset = 0): string {
  return ms === undefined ? '' : new Date(ms + dayOffset * DAY_MS).toISOString().slice(0, 10)
}

function withoutEmpty(filters: QueueFilters): QueueFilters {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue
    out[key] = value
  }
  return out as QueueFilters
}
