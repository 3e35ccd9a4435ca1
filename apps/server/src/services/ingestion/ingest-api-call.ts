import type { Session } from '../../auth/session.ts'
import type { Db } from '../../db/prisma.ts'
import type { Logger } from '../../logger.ts'
import { enforceUsageLimits, mustCheckLimitsFirst } from '../limits/enforce-usage-limits.ts'
import { meterRealtimeUsage } from '../limits/realtime-usage.ts'
import { notifyAnomaliesSoon } from '../notifications/alert-coalescer.ts'
import type { AppServices } from '../service-deps.ts'
import { ingestTransactions, type IngestResult } from './ingest-transactions.ts'

/**
 * One real-time ingestion call (ingest.transactions, also served by the direct route):
 * the plan's rate limit and monthly quota, the batch stored and scored, its use
 * metered (on the API key, or on the organisation for a member's session), and its
 * anomalies handed to the alert coalescer.
 *
 * The hot path of the API, a hundred calls a second: the limit check runs alongside
 * the ingest's first round trip (awaited first only for keys refused lately, see
 * mustCheckLimitsFirst), and metering and alerting are synchronous hand-offs that
 * batch their own writes, so a call waits for nothing but its own rows.
 */
export async function ingestApiCall(
  db: Db,
  services: Pick<AppServices, 'jobs' | 'models'>,
  session: Session,
  log: Pick<Logger, 'error'>,
  transactions: unknown[],
): Promise<IngestResult> {
  // The ingest commits nothing before `admitted` resolves, and rolls back if it rejects.
  const admitted = enforceUsageLimits(db, session, transactions.length)
  if (mustCheckLimitsFirst(session)) await admitted
  const result = await ingestTransactions(db, services.models, session.orgId, transactions, { admitted, jobs: services.jobs, log })
  meterRealtimeUsage(db, { orgId: session.orgId, apiKeyId: session.apiKeyId ?? null, transactions: result.accepted })
  notifyAnomaliesSoon(
    services.jobs,
    session.orgId,
    result.anomalies.map((a) => a.id),
    log,
  )
  return result
}
