import type { TTransaction } from '../transactions/transaction-input.ts'
import type { ColumnMapping, MappableField } from './column-mapping.ts'

/** One rejected CSV row: enough for a user to find and fix it. */
export interface RowError {
  line: number
  field: MappableField | 'row'
  reason: string
}

export interface ConvertOptions {
  /** Base for `timestampHours` columns (PaySim's step). ISO date, UTC midnight. */
  baseDate?: string
  /** Currency when the file has no currency column. */
  defaultCurrency?: string
}

export type ConvertedRow =
  | { ok: true; transaction: TTransaction; label: boolean | undefined }
  | { ok: false; errors: RowError[] }

const HOUR_MS = 3_600_000
const DEFAULT_BASE_DATE = '2024-01-01'
const MAX_ID = 128

/**
 * Turns one CSV record into a transaction. Validation mirrors ZTransactionInput but is
 * hand-written: zod per row costs more than parsing on multi-million-row files.
 */
export function createRowConverter(
  mapping: ColumnMapping,
  columnCount: number,
  options: ConvertOptions = {},
): (values: readonly string[], line: number) => ConvertedRow {
  const baseMs = Date.parse(`${options.baseDate ?? DEFAULT_BASE_DATE}T00:00:00Z`)
  if (Number.isNaN(baseMs)) throw new Error(`baseDate must be YYYY-MM-DD, got "${options.baseDate}"`)
  const defaultCurrency = (options.defaultCurrency ?? 'INR').toUpperCase()

  return (values, line) => {
    if (values.length !== columnCount) {
      return { ok: false, errors: [{ line, field: 'row', reason: `expected ${columnCount} columns, got ${values.length}` }] }
    }
    const errors: RowError[] = []
    const get = (field: MappableField): string | undefined => {
      const index = mapping[field]
      return index === undefined ? undefined : values[index]?.trim()
    }
    const fail = (field: MappableField, reason: string): undefined => {
      errors.push({ line, field, reason })
      return undefined
    }

    const amountText = get('amount') ?? ''
    const amount = amountText === '' ? fail('amount', 'empty') : Number(amountText)
    if (amount !== undefined && (!Number.isFinite(amount) || amount < 0 || amount > 1e12)) {
      fail('amount', `not a non-negative number: "${amountText}"`)
    }
    const timestamp = readTimestamp(get('timestamp'), get('timestampHours'), baseMs, fail)
    const accountId = readId(get('accountId'), 'accountId', fail)
    const merchantId = readId(get('merchantId'), 'merchantId', fail)
    const txIdText = get('txId')
    // Files without an id column (PaySim) get a stable id from their line number.
    const txId = mapping.txId === undefined ? `line-${line}` : readId(txIdText, 'txId', fail)

    const currency = (get('currency') || defaultCurrency).toUpperCase()
    if (!/^[A-Z]{3}$/.test(currency)) fail('currency', `not a 3-letter code: "${currency}"`)
    const country = get('country')?.toUpperCase() || undefined
    if (country !== undefined && !/^[A-Z]{2}$/.test(country)) fail('country', `not a 2-letter code: "${country}"`)
    const latitude = readOptionalNumber(get('latitude'), 'latitude', -90, 90, fail)
    const longitude = readOptionalNumber(get('longitude'), 'longitude', -180, 180, fail)
    const label = readLabel(get('label'), fail)

    if (errors.length > 0 || amount === undefined || timestamp === undefined) return { ok: false, errors }
    const transaction: TTransaction = {
      txId: txId as string,
      timestamp,
      amount,
      currency,
      accountId: accountId as string,
      merchantId: merchantId as string,
    }
    const category = get('category')
    if (category) transaction.category = category.slice(0, 64)
    const channel = get('channel')
    if (channel) transaction.channel = channel.slice(0, 32)
    if (country !== undefined) transaction.country = country
    if (latitude !== undefined) transaction.latitude = latitude
    if (longitude !== undefined) transaction.longitude = longitude
    return { ok: true, transaction, label }
  }
}

type Fail = (field: MappableField, reason: string) => undefined

function readId(value: string | undefined, field: MappableField, fail: Fail): string | undefined {
  if (!value) return fail(field, 'empty')
  if (value.length > MAX_ID) return fail(field, `longer than ${MAX_ID} characters`)
  return value
}

function readTimestamp(text: string | undefined, hoursText: string | undefined, baseMs: number, fail: Fail): number | undefined {
  if (hoursText !== undefined) {
    const hours = Number(hoursText)
    if (hoursText === '' || !Number.isFinite(hours) || hours < 0) return fail('timestampHours', `not a number of hours: "${hoursText}"`)
    return baseMs + Math.round(hours * HOUR_MS)
  }
  if (!text) return fail('timestamp', 'empty')
  const ms = parseTimestamp(text)
  return ms === undefined ? fail('timestamp', `not a date: "${text}"`) : ms
}

/**
 * Accepts ISO 8601 (with or without offset; none means UTC, as in the handbook's
 * "2018-04-01 00:00:31"), and epoch seconds or milliseconds.
 */
export function parseTimestamp(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text)
    // Below 1e11 it cannot be milliseconds of any plausible date (that is 1973).
    return n < 1e11 ? Math.round(n * 1000) : Math.round(n)
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text)
  if (!m) return undefined
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`
  const ms = Date.parse(iso)
  // Date.parse accepts 2018-02-30; reject dates that roll over.
  if (Number.isNaN(ms) || new Date(Date.parse(`${y}-${mo}-${d}T00:00:00Z`)).getUTCDate() !== Number(d)) return undefined
  return ms
}

function readOptionalNumber(text: string | undefined, field: MappableField, min: number, max: number, fail: Fail): number | undefined {
  if (!text) return undefined
  const n = Number(text)
  if (!Number.isFinite(n) || n < min || n > max) return fail(field, `not a number in [${min}, ${max}]: "${text}"`)
  return n
}

const TRUE_LABELS = new Set(['1', '1.0', 'true', 'yes', 'y', 'fraud'])
const FALSE_LABELS = new Set(['0', '0.0', 'false', 'no', 'n', 'genuine', 'legit'])

function readLabel(text: string | undefined, fail: Fail): boolean | undefined {
  if (text === undefined || text === '') return undefined
  const t = text.toLowerCase()
  if (TRUE_LABELS.has(t)) return true
  if (FALSE_LABELS.has(t)) return false
  return fail('label', `not a 0/1 label: "${text}"`)
}
