import { FEATURE_INDEX, FEATURE_NAMES } from '../features/compute-features.ts'
import type { TransactionExtras } from '../row-conversion.ts'

/**
 * The engine's features of a file plus what only this file has (balances, kind of
 * transfer), for models fitted on the file itself (file-models.ts). PaySim's frauds
 * empty an account: its balance falls to zero by more than the amount says, which no
 * card-history feature sees.
 */
export interface FileFeatureMatrix {
  /** Row-major, `width` values a row: the engine's FEATURE_NAMES, then `extraNames`. */
  rows: Float32Array
  width: number
  count: number
  featureNames: string[]
  /** The derived columns appended after the engine's. */
  extraNames: string[]
  /** Transaction types given a one-hot column, most frequent first (the rest are `type_other`). */
  types: string[]
}

/** More one-hot columns than this would mostly be noise from free-text types. */
export const MAX_TYPE_COLUMNS = 8

type Derived = { name: string; value: (x: TransactionExtras, amount: number) => number }

// Each derived column with the fields it needs; a column whose fields no row has is left out.
const BALANCE_COLUMNS: ReadonlyArray<{ needs: ReadonlyArray<keyof TransactionExtras>; column: Derived }> = [
  { needs: ['balanceBefore'], column: { name: 'balance_before', value: (x) => x.balanceBefore ?? 0 } },
  { needs: ['balanceBefore', 'balanceAfter'], column: { name: 'balance_delta', value: (x) => (x.balanceBefore ?? 0) - (x.balanceAfter ?? 0) } },
  // Money that left the account without being the amount (or arrived unexplained).
  {
    needs: ['balanceBefore', 'balanceAfter'],
    column: { name: 'balance_error', value: (x, amount) => (x.balanceBefore ?? 0) - amount - (x.balanceAfter ?? 0) },
  },
  { needs: ['balanceBefore'], column: { name: 'amount_over_balance', value: (x, amount) => amount / Math.max(x.balanceBefore ?? 0, 1) } },
  { needs: ['balanceBefore'], column: { name: 'balance_before_zero', value: (x) => (x.balanceBefore === 0 ? 1 : 0) } },
  { needs: ['balanceAfter'], column: { name: 'balance_after_zero', value: (x) => (x.balanceAfter === 0 ? 1 : 0) } },
  { needs: ['counterpartyBalanceBefore'], column: { name: 'counterparty_balance_before', value: (x) => x.counterpartyBalanceBefore ?? 0 } },
  {
    needs: ['counterpartyBalanceBefore', 'counterpartyBalanceAfter'],
    column: { name: 'counterparty_balance_delta', value: (x) => (x.counterpartyBalanceAfter ?? 0) - (x.counterpartyBalanceBefore ?? 0) },
  },
  {
    needs: ['counterpartyBalanceBefore', 'counterpartyBalanceAfter'],
    column: {
      name: 'counterparty_balance_error',
      value: (x, amount) => (x.counterpartyBalanceBefore ?? 0) + amount - (x.counterpartyBalanceAfter ?? 0),
    },
  },
  {
    needs: ['counterpartyBalanceBefore', 'counterpartyBalanceAfter'],
    column: {
      name: 'counterparty_balances_zero',
      value: (x) => (x.counterpartyBalanceBefore === 0 && x.counterpartyBalanceAfter === 0 ? 1 : 0),
    },
  },
]

/**
 * Appends the derived columns to the engine's rows (`engineRows`: FEATURE_NAMES.length
 * values a row), one `extras` entry per row (undefined when a row has none). A missing
 * balance counts as 0 in the columns that use it.
 */
export function buildFileFeatureMatrix(engineRows: Float32Array, extras: ReadonlyArray<TransactionExtras | undefined>): FileFeatureMatrix {
  const base = FEATURE_NAMES.length
  const count = Math.floor(engineRows.length / base)
  if (count * base !== engineRows.length) throw new Error(`buildFileFeatureMatrix: ${engineRows.length} values are not rows of ${base} features`)
  if (extras.length !== count) throw new Error(`buildFileFeatureMatrix: ${extras.length} extras for ${count} rows`)
  const present = new Set<keyof TransactionExtras>()
  const typeCounts = new Map<string, number>()
  for (const x of extras) {
    if (!x) continue
    for (const key of Object.keys(x) as (keyof TransactionExtras)[]) if (x[key] !== undefined) present.add(key)
    if (x.transactionType !== undefined) typeCounts.set(x.transactionType, (typeCounts.get(x.transactionType) ?? 0) + 1)
  }
  const columns = BALANCE_COLUMNS.filter((c) => c.needs.every((field) => present.has(field))).map((c) => c.column)
  const types = [...typeCounts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_TYPE_COLUMNS)
    .map(([type]) => type)
  const typeIndex = new Map(types.map((t, i) => [t, i]))
  const hasOther = typeCounts.size > types.length
  const extraNames = [...columns.map((c) => c.name), ...types.map((t) => `type_${t.toLowerCase()}`), ...(hasOther ? ['type_other'] : [])]
  const width = base + extraNames.length
  const rows = new Float32Array(count * width)
  const none: TransactionExtras = {}
  for (let r = 0; r < count; r += 1) {
    const out = r * width
    rows.set(engineRows.subarray(r * base, (r + 1) * base), out)
    const x = extras[r] ?? none
    const amount = engineRows[r * base + FEATURE_INDEX.amount] as number
    let k = out + base
    for (const c of columns) rows[k++] = c.value(x, amount)
    if (x.transactionType !== undefined) {
      const t = typeIndex.get(x.transactionType)
      if (t !== undefined) rows[k + t] = 1
      else if (hasOther) rows[k + types.length] = 1
    }
  }
  return { rows, width, count, featureNames: [...FEATURE_NAMES, ...extraNames], extraNames, types }
}

/** The matrix with only the given columns, by name (e.g. to leave the engine's out). */
export function selectColumns(matrix: FileFeatureMatrix, names: readonly string[]): FileFeatureMatrix {
  const index = names.map((n) => {
    const i = matrix.featureNames.indexOf(n)
    if (i < 0) throw new Error(`selectColumns: no column "${n}"`)
    return i
  })
  const rows = new Float32Array(matrix.count * index.length)
  for (let r = 0; r < matrix.count; r += 1) {
    for (let c = 0; c < index.length; c += 1) rows[r * index.length + c] = matrix.rows[r * matrix.width + (index[c] as number)] as number
  }
  const extraNames = matrix.extraNames.filter((n) => names.includes(n))
  return { rows, width: index.length, count: matrix.count, featureNames: [...names], extraNames, types: matrix.types }
}

/**
 * The columns an isolation forest fitted on the file should use: with balance or type
 * columns, the amount and those only (the engine's history features add noise where
 * accounts rarely repeat: PaySim AUC 0.89 against 0.84 with them, bench:paysim);
 * without, every engine feature.
 */
export function isolationColumns(matrix: FileFeatureMatrix): string[] {
  return matrix.extraNames.length > 0 ? ['amount', ...matrix.extraNames] : [...FEATURE_NAMES]
}
