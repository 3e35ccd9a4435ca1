import type { TTransaction } from '../transactions/transaction-input.ts'
import { textProblem, toSafeText, truncateText } from '../validation/safe-text.ts'
import { isTimeInRange } from '../validation/time-bounds.ts'
import type { ColumnMapping, ExtraField, MappableField } from './column-mapping.ts'

/**
 * ISO 4217's code for "no currency": what a file without a currency column is stored
 * with, so no currency is ever invented for it. Show it as "unknown".
 */
export const UNKNOWN_CURRENCY = 'XXX'

/** One rejected CSV row: enough for a user to find and fix it. */
export interface RowError {
  line: number
  field: MappableField | 'row'
  reason: string
}

export interface ConvertOptions {
  /** Base for `timestampHours` columns (PaySim's step). ISO date, UTC midnight. */
  baseDate?: string
  /** Currency when the file has no currency column (default UNKNOWN_CURRENCY: never invent one). */
  defaultCurrency?: string
  /** The file's header: balance errors then name the column as well as the field. */
  headers?: readonly string[]
}

/**
 * What a file says beyond the transaction's wire shape (balances, kind of transfer):
 * inputs of the file-fitted models (detection/file-fit), never sent to the server.
 */
export interface TransactionExtras {
  transactionType?: string
  balanceBefore?: number
  balanceAfter?: number
  counterpartyBalanceBefore?: number
  counterpartyBalanceAfter?: number
}

export type ConvertedRow =
  | {
      ok: true
      transaction: TTransaction
      label: boolean | undefined
      /** Present when the mapping has any extra field (EXTRA_FIELDS), even if this row's cells are empty. */
      extras?: TransactionExtras
    }
  | { ok: false; errors: RowError[] }

const BALANCE_FIELDS = ['balanceBefore', 'balanceAfter', 'counterpartyBalanceBefore', 'counterpartyBalanceAfter'] as const satisfies readonly ExtraField[]
/** Balances may be negative (overdrafts); beyond this they are not money. */
const MAX_BALANCE = 1e15

const HOUR_MS = 3_600_000
const DEFAULT_BASE_DATE = '2024-01-01'
const MAX_ID = 128
/** Dates outside MIN_TIME_MS..MAX_TIME_MS (time-bounds.ts), as ZTransactionInput says it. */
const OUT_OF_RANGE = 'not between 1970-01-01 and 9999-12-31'

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
  const defaultCurrency = (options.defaultCurrency ?? UNKNOWN_CURRENCY).toUpperCase()
  const balanceFields = BALANCE_FIELDS.filter((field) => mapping[field] !== undefined)
  const hasExtras = balanceFields.length > 0 || mapping.transactionType !== undefined
  const columnOf = (field: MappableField): string => {
    const header = options.headers?.[mapping[field] as number]
    return header === undefined ? '' : ` in column "${toSafeText(header, 64)}"`
  }

  return (values, line) => {
    if (values.length !== columnCount) {
      return { ok: false, errors: [{ line, field: 'row', reason: `expected ${columnCount} columns, got ${values.length}` }] }
    }
    // No closures per row: this runs millions of times on big files.
    const errors: RowError[] = []
    const amountText = cell(values, mapping.amount)
    let amount: number | undefined = Number(amountText)
    if (amountText === '') amount = fail(errors, line, 'amount', 'empty')
    else if (!Number.isFinite(amount) || amount < 0 || amount > 1e12) amount = fail(errors, line, 'amount', `not a non-negative number: "${quote(amountText)}"`)
    const timestamp = readTimestamp(mapping, values, baseMs, errors, line)
    const accountId = readId(cell(values, mapping.accountId), 'accountId', errors, line)
    const merchantId = readId(cell(values, mapping.merchantId), 'merchantId', errors, line)
    // Files without an id column (PaySim) get a stable id from their line number.
    const txId = mapping.txId === undefined ? `line-${line}` : readId(cell(values, mapping.txId), 'txId', errors, line)

    const currencyText = cell(values, mapping.currency)
    const currency = currencyText ? currencyText.toUpperCase() : defaultCurrency
    if (currencyText && !/^[A-Z]{3}$/.test(currency)) fail(errors, line, 'currency', `not a 3-letter code: "${quote(currency)}"`)
    const countryText = cell(values, mapping.country)
    const country = countryText ? countryText.toUpperCase() : undefined
    if (country !== undefined && !/^[A-Z]{2}$/.test(country)) fail(errors, line, 'country', `not a 2-letter code: "${quote(country)}"`)
    const latitude = readOptionalNumber(cell(values, mapping.latitude), 'latitude', -90, 90, errors, line)
    const longitude = readOptionalNumber(cell(values, mapping.longitude), 'longitude', -180, 180, errors, line)
    const label = readLabel(cell(values, mapping.label), errors, line)
    const category = readText(cell(values, mapping.category), 'category', errors, line)
    const channel = readText(cell(values, mapping.channel), 'channel', errors, line)
    let extras: TransactionExtras | undefined
    if (hasExtras) {
      extras = {}
      for (const field of balanceFields) {
        const text = cell(values, mapping[field])
        if (text === '') continue
        const n = Number(text)
        if (!Number.isFinite(n) || Math.abs(n) > MAX_BALANCE) fail(errors, line, field, `not a balance${columnOf(field)}: "${quote(text)}"`)
        else extras[field] = n
      }
      const type = readText(cell(values, mapping.transactionType), 'transactionType', errors, line)
      if (type) extras.transactionType = truncateText(type.toUpperCase(), 64)
    }

    if (errors.length > 0 || amount === undefined || timestamp === undefined || !txId || !accountId || !merchantId) return { ok: false, errors }
    const transaction: TTransaction = { txId, timestamp, amount, currency, accountId, merchantId }
    // Cut to the schema's lengths, never inside a surrogate pair (see safe-text.ts).
    if (category) transaction.category = truncateText(category, 64)
    if (channel) transaction.channel = truncateText(channel, 32)
    if (country !== undefined) transaction.country = country
    if (latitude !== undefined) transaction.latitude = latitude
    if (longitude !== undefined) transaction.longitude = longitude
    return extras === undefined ? { ok: true, transaction, label } : { ok: true, transaction, label, extras }
  }
}

function cell(values: readonly string[], index: number | undefined): string {
  return index === undefined ? '' : (values[index] ?? '').trim()
}

function fail(errors: RowError[], line: number, field: MappableField, reason: string): undefined {
  errors.push({ line, field, reason })
  return undefined
}

/** A cell's text as an error message quotes it: safe to store, at most 64 characters. */
function quote(text: string): string {
  return toSafeText(text, 64)
}

function readId(value: string, field: MappableField, errors: RowError[], line: number): string | undefined {
  if (!value) return fail(errors, line, field, 'empty')
  if (value.length > MAX_ID) return fail(errors, line, field, `longer than ${MAX_ID} characters`)
  const problem = textProblem(value)
  return problem === null ? value : fail(errors, line, field, problem)
}

/** Free text (category, channel): refused when it is text the product does not store (safe-text.ts). */
function readText(value: string, field: MappableField, errors: RowError[], line: number): string {
  const problem = value === '' ? null : textProblem(value)
  if (problem !== null) fail(errors, line, field, problem)
  return value
}

function readTimestamp(mapping: ColumnMapping, values: readonly string[], baseMs: number, errors: RowError[], line: number): number | undefined {
  if (mapping.timestampHours !== undefined) {
    const text = cell(values, mapping.timestampHours)
    const hours = Number(text)
    if (text === '' || !Number.isFinite(hours) || hours < 0) return fail(errors, line, 'timestampHours', `not a number of hours: "${quote(text)}"`)
    const ms = baseMs + Math.round(hours * HOUR_MS)
    return isTimeInRange(ms) ? ms : fail(errors, line, 'timestampHours', `${OUT_OF_RANGE}: "${quote(text)}" hours`)
  }
  const text = cell(values, mapping.timestamp)
  if (!text) return fail(errors, line, 'timestamp', 'empty')
  const ms = parseTimestamp(text)
  if (ms === undefined) return fail(errors, line, 'timestamp', `not a date: "${quote(text)}"`)
  return isTimeInRange(ms) ? ms : fail(errors, line, 'timestamp', `${OUT_OF_RANGE}: "${quote(text)}"`)
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function digits(text: string, from: number, count: number): number {
  let n = 0
  for (let i = from; i < from + count; i += 1) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/** Fast path for "YYYY-MM-DD HH:MM:SS" (UTC), the commonest export format. */
function parseSimpleTimestamp(text: string): number | undefined {
  if (text.length !== 19 || text[4] !== '-' || text[7] !== '-' || (text[10] !== ' ' && text[10] !== 'T') || text[13] !== ':' || text[16] !== ':')
    return undefined
  const y = digits(text, 0, 4)
  const mo = digits(text, 5, 2)
  const d = digits(text, 8, 2)
  const h = digits(text, 11, 2)
  const mi = digits(text, 14, 2)
  const s = digits(text, 17, 2)
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
  if (d > (mo === 2 && !leap ? 28 : (DAYS_IN_MONTH[mo - 1] as number))) return undefined
  return Date.UTC(y, mo - 1, d, h, mi, s)
}

/**
 * Accepts ISO 8601 (with or without offset; none means UTC, as in the handbook's
 * "2018-04-01 00:00:31"), and epoch seconds or milliseconds.
 */
export function parseTimestamp(text: string): number | undefined {
  if (text.length === 19) return parseSimpleTimestamp(text)
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
  if (Number.isNaN(ms) || parseSimpleTimestamp(`${y}-${mo}-${d} 00:00:00`) === undefined) return undefined
  return ms
}

function readOptionalNumber(text: string, field: MappableField, min: number, max: number, errors: RowError[], line: number): number | undefined {
  if (!text) return undefined
  const n = Number(text)
  if (!Number.isFinite(n) || n < min || n > max) return fail(errors, line, field, `not a number in [${min}, ${max}]: "${quote(text)}"`)
  return n
}

const TRUE_LABELS = new Set(['1', '1.0', 'true', 'yes', 'y', 'fraud'])
const FALSE_LABELS = new Set(['0', '0.0', 'false', 'no', 'n', 'genuine', 'legit'])

function readLabel(text: string, errors: RowError[], line: number): boolean | undefined {
  if (text === '') return undefined
  const t = text.toLowerCase()
  if (TRUE_LABELS.has(t)) return true
  if (FALSE_LABELS.has(t)) return false
  return fail(errors, line, 'label', `not a 0/1 label: "${quote(text)}"`)
}
