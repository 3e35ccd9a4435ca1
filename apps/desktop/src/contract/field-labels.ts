import type { MappableField } from '@anomalyze/shared/engine'

/**
 * What an analyst calls each field a CSV column can feed: one table for the mapping
 * editor and every message about a mapping, so no message says "accountId".
 */
export const FIELD_LABEL: Record<MappableField, string> = {
  txId: 'Transaction id',
  timestamp: 'Date and time',
  timestampHours: 'Hours since start (PaySim step)',
  amount: 'Amount',
  currency: 'Currency',
  accountId: 'Account / customer',
  merchantId: 'Merchant / terminal',
  category: 'Category',
  country: 'Country',
  channel: 'Channel',
  latitude: 'Latitude',
  longitude: 'Longitude',
  label: 'Fraud label (not used for scoring)',
  transactionType: 'Transaction type (transfer, cash-out…)',
  balanceBefore: "Payer's balance before",
  balanceAfter: "Payer's balance after",
  counterpartyBalanceBefore: "Payee's balance before",
  counterpartyBalanceAfter: "Payee's balance after",
}

/** The analyst's name for a field; a name this build does not know is shown as given. */
export function fieldLabel(field: string): string {
  return (FIELD_LABEL as Record<string, string | undefined>)[field] ?? field
}
