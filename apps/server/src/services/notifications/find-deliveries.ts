import { AppError } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'

/** One row of an anomaly's delivery log, as the console shows it. */
export interface DeliveryDto {
  id: string
  channel: 'EMAIL' | 'SMS' | 'VOICE'
  status: 'QUEUED' | 'SENT' | 'DELIVERED' | 'ACKNOWLEDGED' | 'FAILED' | 'SKIPPED'
  providerMessageId: string | null
  /** Why it was skipped, or the provider's error. */
  error: string | null
  attempts: number
  createdAt: string
  updatedAt: string
}

/** The alerts sent (or not) for one of the caller's anomalies, oldest first. */
export async function findDeliveries(db: Db, orgId: string, anomalyId: string): Promise<{ acknowledgedAt: string | null; items: DeliveryDto[] }> {
  const anomaly = await db.anomaly.findFirst({ where: { id: anomalyId, orgId }, select: { acknowledgedAt: true } })
  if (anomaly === null) throw new AppError('NOT_FOUND', 'No such anomaly')
  const rows = await db.notificationLog.findMany({
    where: { orgId, anomalyId },
    orderBy: [{ createdAt: 'asc' }, { channel: 'asc' }],
    select: { id: true, channel: true, status: true, providerMessageId: true, error: true, attempts: true, createdAt: true, updatedAt: true },
  })
  return {
    acknowledgedAt: anomaly.acknowledgedAt?.toISOString() ?? null,
    items: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() })),
  }
}
