import type { QueueRow } from '../../../contract/queue.ts'

/** The ids an analyst pastes into another system: one per line, each named. */
export function alertIdsText(row: Pick<QueueRow, 'txId' | 'accountId' | 'merchantId'>): string {
  return `Transaction ${row.txId}\nAccount ${row.accountId}\nMerchant ${row.merchantId}`
}

/** Copies the alert's ids to the clipboard; resolves to what the toast says. */
export async function copyAlertIds(row: Pick<QueueRow, 'txId' | 'accountId' | 'merchantId'>): Promise<string> {
  await navigator.clipboard.writeText(alertIdsText(row))
  return `Copied the ids of ${row.txId} (transaction, account, merchant)`
}
