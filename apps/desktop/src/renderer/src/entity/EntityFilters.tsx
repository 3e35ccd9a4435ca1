import { useState } from 'react'
import type { EntityTransactionsArgs } from '../../../contract/entity.ts'

export type TxFilters = Pick<EntityTransactionsArgs, 'from' | 'to' | 'amountMin' | 'amountMax' | 'country' | 'alertsOnly' | 'counterpartyId'>

/** A date field's value as epoch ms at UTC midnight (end: the next midnight), or undefined when empty or invalid. */
function dayMs(value: string, end: boolean): number | undefined {
  if (!/^\d{4}-\d\d-\d\d$/.test(value)) return undefined
  const ms = Date.parse(`${value}T00:00:00Z`)
  return Number.isFinite(ms) ? ms + (end ? 86_400_000 : 0) : undefined
}

function amount(value: string): number | undefined {
  if (value.trim() === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

/**
 * The transaction filters. Applied with the button (or Enter), so typing an amount does
 * not fetch a page per key; a bad value is named instead of sent.
 */
export function EntityFilters({ value, onChange, counterpartyLabel }: { value: TxFilters; onChange: (f: TxFilters) => void; counterpartyLabel: string }) {
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [min, setMin] = useState('')
  const [max, setMax] = useState('')
  const [country, setCountry] = useState('')
  const [counterparty, setCounterparty] = useState('')
  const [error, setError] = useState<string | null>(null)
  const apply = (alertsOnly = value.alertsOnly === true): void => {
    const next: TxFilters = { alertsOnly }
    const f = dayMs(from, false)
    const t = dayMs(to, true)
    const lo = amount(min)
    const hi = amount(max)
    if (from !== '' && f === undefined) return setError('From: not a date')
    if (to !== '' && t === undefined) return setError('To: not a date')
    if (min !== '' && lo === undefined) return setError('Amount from: not a number')
    if (max !== '' && hi === undefined) return setError('Amount to: not a number')
    if (f !== undefined && t !== undefined && f >= t) return setError('From must be before To')
    if (lo !== undefined && hi !== undefined && lo > hi) return setError('Amount from must not exceed Amount to')
    const c = country.trim().toUpperCase()
    if (c !== '' && !/^[A-Z]{2}$/.test(c)) return setError('Country: two letters (ISO code)')
    setError(null)
    if (f !== undefined) next.from = f
    if (t !== undefined) next.to = t
    if (lo !== undefined) next.amountMin = lo
    if (hi !== undefined) next.amountMax = hi
    if (c !== '') next.country = c
    if (counterparty.trim() !== '') next.counterpartyId = counterparty.trim()
    onChange(next)
  }
  return (
    <form
      className="filter-bar entity-filters"
      aria-label="Transaction filters"
      onSubmit={(e) => {
        e.preventDefault()
        apply()
      }}
    >
      <label>
        From <input type="date" aria-label="From date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To <input type="date" aria-label="To date" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <label>
        Amount <input type="number" aria-label="Amount from" placeholder="min" value={min} onChange={(e) => setMin(e.target.value)} />–
        <input type="number" aria-label="Amount to" placeholder="max" value={max} onChange={(e) => setMax(e.target.value)} />
      </label>
      <label>
        Country <input aria-label="Country" className="short" placeholder="IN" maxLength={2} value={country} onChange={(e) => setCountry(e.target.value)} />
      </label>
      <label>
        {counterpartyLabel}{' '}
        <input aria-label={`Only ${counterpartyLabel}`} maxLength={128} value={counterparty} onChange={(e) => setCounterparty(e.target.value)} />
      </label>
      <label className="check">
        <input type="checkbox" checked={value.alertsOnly === true} onChange={(e) => apply(e.target.checked)} /> Alerts only
      </label>
      <button type="submit">Apply</button>
      {error !== null && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </form>
  )
}
