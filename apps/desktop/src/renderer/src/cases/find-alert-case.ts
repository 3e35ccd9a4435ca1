import type { QueueRow } from '../../../contract/queue.ts'
import { callCore } from '../api/core-client.ts'

/** The case an alert belongs to, as last synced (null: offline-scored, or in no case yet). */
export async function findAlertCase(row: Pick<QueueRow, 'id'>): Promise<string | null> {
  return (await callCore('anomaly.get', { id: row.id })).caseId
}
