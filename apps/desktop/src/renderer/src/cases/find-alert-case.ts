import type { QueueRow } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'

/**
 * The case an alert belongs to. The queue's detail does not carry the case id, so this
 * asks the core's case list for the alert's account (its case, open ones first) and
 * then checks the case really holds the alert; a merchant case that took it is found
 * through its merchant the same way.
 */
export async function findAlertCase(row: Pick<QueueRow, 'id' | 'accountId' | 'merchantId'>): Promise<string | null> {
  for (const [entityType, entityId] of [
    ['MERCHANT', row.merchantId],
    ['ACCOUNT', row.accountId],
  ] as const) {
    const list = await callCore('cases.list', { queue: 'all', text: entityId, includeClosed: true, limit: 50 })
    const candidates = list.rows
      .filter((c) => c.entityType === entityType && c.entityId === entityId && c.mergedIntoId === null)
      .sort((a, b) => Number(b.openAlertCount > 0) - Number(a.openAlertCount > 0) || b.updatedAt - a.updatedAt)
    for (const c of candidates) {
      const detail = await callCore('cases.get', { id: c.id })
      if (detail.alerts.some((a) => a.id === row.id)) return c.id
    }
  }
  return null
}
