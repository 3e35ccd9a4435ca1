/**
 * Which CSV column feeds which transaction field. Users upload files with whatever
 * headers their bank or PSP exports, so common names are recognised automatically and
 * anything else can be given explicitly as `column=field`.
 */
export const MAPPABLE_FIELDS = [
  'txId',
  'timestamp',
  /** Hours since the base date (PaySim's `step`): turned into a timestamp. */
  'timestampHours',
  'amount',
  'currency',
  'accountId',
  'merchantId',
  'category',
  'country',
  'channel',
  'latitude',
  'longitude',
  /** Ground truth for training (1/0, true/false, yes/no). Never a model input. */
  'label',
  /** Kind of transfer (PaySim's CASH_OUT, TRANSFER...): a file-fitted model's one-hot input. */
  'transactionType',
  /** The payer's balance before and after the transaction (PaySim oldbalanceOrg/newbalanceOrig). */
  'balanceBefore',
  'balanceAfter',
  /** The payee's balance before and after (PaySim oldbalanceDest/newbalanceDest). */
  'counterpartyBalanceBefore',
  'counterpartyBalanceAfter',
] as const

/**
 * Fields carried beside the transaction (ConvertedRow.extras), not in its wire shape:
 * the server's contract has no place for them, the file-fitted models use them.
 */
export const EXTRA_FIELDS = ['transactionType', 'balanceBefore', 'balanceAfter', 'counterpartyBalanceBefore', 'counterpartyBalanceAfter'] as const

export type ExtraField = (typeof EXTRA_FIELDS)[number]

export type MappableField = (typeof MAPPABLE_FIELDS)[number]

/** Field -> zero-based column index. One column may feed several fields (PaySim `type`). */
export type ColumnMapping = Partial<Record<MappableField, number>>

export interface ResolvedMapping {
  mapping: ColumnMapping
  headers: string[]
  /** Mapping problems that make the file unusable (e.g. no amount column). */
  errors: string[]
}

// Normalised header (lower case, no separators) -> fields. Order of the table is the
// order of preference when two columns could claim the same field.
const ALIASES: ReadonlyArray<readonly [string, readonly MappableField[]]> = [
  ['transactionid', ['txId']],
  ['txid', ['txId']],
  ['id', ['txId']],
  ['transid', ['txId']],
  ['txdatetime', ['timestamp']],
  ['timestamp', ['timestamp']],
  ['datetime', ['timestamp']],
  ['date', ['timestamp']],
  ['time', ['timestamp']],
  ['createdat', ['timestamp']],
  ['step', ['timestampHours']],
  ['txamount', ['amount']],
  ['amount', ['amount']],
  ['amt', ['amount']],
  ['value', ['amount']],
  ['currency', ['currency']],
  ['customerid', ['accountId']],
  ['accountid', ['accountId']],
  ['account', ['accountId']],
  ['cardid', ['accountId']],
  ['card', ['accountId']],
  ['nameorig', ['accountId']],
  ['userid', ['accountId']],
  ['terminalid', ['merchantId']],
  ['merchantid', ['merchantId']],
  ['merchant', ['merchantId']],
  ['namedest', ['merchantId']],
  ['terminal', ['merchantId']],
  ['payee', ['merchantId']],
  ['category', ['category']],
  ['mcc', ['category']],
  ['type', ['category', 'channel', 'transactionType']],
  ['transactiontype', ['transactionType']],
  ['txtype', ['transactionType']],
  // PaySim spells the payer's old balance "Org" and the new one "Orig".
  ['oldbalanceorg', ['balanceBefore']],
  ['oldbalanceorig', ['balanceBefore']],
  ['balancebefore', ['balanceBefore']],
  ['openingbalance', ['balanceBefore']],
  ['newbalanceorig', ['balanceAfter']],
  ['newbalanceorg', ['balanceAfter']],
  ['balanceafter', ['balanceAfter']],
  ['closingbalance', ['balanceAfter']],
  ['oldbalancedest', ['counterpartyBalanceBefore']],
  ['counterpartybalancebefore', ['counterpartyBalanceBefore']],
  ['newbalancedest', ['counterpartyBalanceAfter']],
  ['counterpartybalanceafter', ['counterpartyBalanceAfter']],
  ['country', ['country']],
  ['channel', ['channel']],
  ['latitude', ['latitude']],
  ['lat', ['latitude']],
  ['longitude', ['longitude']],
  ['lon', ['longitude']],
  ['lng', ['longitude']],
  ['txfraud', ['label']],
  ['isfraud', ['label']],
  ['fraud', ['label']],
  ['label', ['label']],
]

const REQUIRED: readonly MappableField[] = ['amount', 'accountId', 'merchantId']

export function normaliseHeader(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/** Parses `["col=field", ...]`; throws on an unknown field so typos fail loudly. */
export function parseMappingOverrides(specs: readonly string[]): Map<string, MappableField> {
  const overrides = new Map<string, MappableField>()
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=')
    const column = spec.slice(0, eq).trim()
    const field = spec.slice(eq + 1).trim()
    if (eq <= 0 || column === '') throw new Error(`mapping "${spec}" must look like column=field`)
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) {
      throw new Error(`mapping "${spec}": unknown field "${field}" (known: ${MAPPABLE_FIELDS.join(', ')})`)
    }
    overrides.set(column, field as MappableField)
  }
  return overrides
}

/**
 * Auto-detects the mapping from the header row, then applies overrides (which win).
 * An override naming a column that is not in the file is an error, not silently ignored.
 */
export function resolveColumnMapping(headers: readonly string[], overrides: ReadonlyMap<string, MappableField> = new Map()): ResolvedMapping {
  const mapping: ColumnMapping = {}
  const errors: string[] = []
  const normalised = headers.map(normaliseHeader)
  for (const [alias, fields] of ALIASES) {
    const index = normalised.indexOf(alias)
    if (index < 0) continue
    for (const field of fields) if (mapping[field] === undefined) mapping[field] = index
  }
  const explicit: Array<[number, MappableField]> = []
  for (const [column, field] of overrides) {
    let index = headers.indexOf(column)
    if (index < 0) index = normalised.indexOf(normaliseHeader(column))
    if (index < 0) errors.push(`mapping for "${column}": no such column (columns: ${headers.join(', ')})`)
    else explicit.push([index, field])
  }
  // A column given an explicit role loses its auto-detected ones, and a field given
  // explicitly loses its auto-detected column.
  for (const [index, field] of explicit) {
    for (const key of Object.keys(mapping) as MappableField[]) if (mapping[key] === index) delete mapping[key]
    delete mapping[field]
  }
  for (const [index, field] of explicit) mapping[field] = index
  // An explicit timestamp wins over PaySim's step and vice versa.
  if (mapping.timestamp !== undefined && mapping.timestampHours !== undefined) {
    if ([...overrides.values()].includes('timestampHours')) delete mapping.timestamp
    else delete mapping.timestampHours
  }
  for (const field of REQUIRED) {
    if (mapping[field] === undefined) errors.push(`missing required column for ${field}`)
  }
  if (mapping.timestamp === undefined && mapping.timestampHours === undefined) {
    errors.push('missing required column for timestamp')
  }
  return { mapping, headers: [...headers], errors }
}
